import { encodeFunctionData, parseEther, zeroAddress } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransactionRevertedError } from '../errors.ts';
import { protocolTestKit, useLocalProtocol } from '../fixtures/protocolTestKit.ts';
import { roundsManagerAbi } from '../protocolAbis.ts';
import {
  encodeAuxData,
  getRecipientRandHash,
  getTicketHash,
  maxWinProb,
  signTicket,
  type Ticket,
} from '../ticket.ts';
import { advanceRound } from './advanceRound.ts';
import { batchRedeemWinningTickets } from './batchRedeemWinningTickets.ts';
import { bond } from './bond.ts';
import { cancelUnlock } from './cancelUnlock.ts';
import { confirmTransaction } from './confirmTransaction.ts';
import { fundDeposit } from './fundDeposit.ts';
import { fundReserve } from './fundReserve.ts';
import { getBlockHashForRound } from './getBlockHashForRound.ts';
import { getCurrentRound } from './getCurrentRound.ts';
import { getDelegator } from './getDelegator.ts';
import { getSenderInfo } from './getSenderInfo.ts';
import { getServiceUri } from './getServiceUri.ts';
import { getTranscoder } from './getTranscoder.ts';
import { getTranscoderPool } from './getTranscoderPool.ts';
import { getWinningTicketRedemptions } from './getWinningTicketRedemptions.ts';
import { initializeRound } from './initializeRound.ts';
import { isTicketUsed } from './isTicketUsed.ts';
import { mintLpt } from './mintLpt.ts';
import { rebondFromUnbonded } from './rebondFromUnbonded.ts';
import { setupOrchestrator } from './setupOrchestrator.ts';
import { unbond } from './unbond.ts';
import { unlock } from './unlock.ts';

// Accounts: 0 deployer, 1 gateway (sender), 2 orchestrator A, 3 orchestrator B, 5 delegator.
const fixture = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: { roundLengthBlocks: 40n },
    async setup(chain) {
      const kit = protocolTestKit(() => chain);
      const owner = chain.walletClient();
      for (const [i, stake] of [
        [2, '1000'],
        [3, '500'],
      ] as const) {
        await setupOrchestrator(chain.walletClient(kit.acct(i)), {
          ...chain,
          owner,
          stakeWei: parseEther(stake),
          serviceUri: `https://orch${i}.example:8935`,
        });
      }
      await advanceRound(owner, chain);
    },
  },
);
const chain = () => fixture.chain;
const kit = protocolTestKit(chain);
const as = (i: number) => chain().walletClient(kit.acct(i));

describe('protocol actions on anvil', () => {
  it('read the transcoder pool, each orchestrator and its service URI', async () => {
    const [a, b] = [kit.acct(2).address, kit.acct(3).address];
    const pool = await getTranscoderPool(chain().publicClient, chain());
    expect(pool).toEqual(
      expect.arrayContaining([
        { address: a, totalStakeWei: parseEther('1000') },
        { address: b, totalStakeWei: parseEther('500') },
      ]),
    );
    expect(pool).toHaveLength(2);
    expect(await getTranscoderPool(chain().publicClient, { ...chain(), limit: 1 })).toHaveLength(1);
    expect(await getTranscoder(chain().publicClient, { ...chain(), transcoder: a })).toMatchObject({
      registered: true,
      active: true,
      rewardCutPpm: 100_000n,
      feeSharePpm: 500_000n,
      totalStakeWei: parseEther('1000'),
    });
    expect(await getServiceUri(chain().publicClient, { ...chain(), orchestrator: b })).toBe(
      'https://orch3.example:8935',
    );
  });

  it('fund a deposit and a reserve, unlock and cancel the unlock', async () => {
    const sender = kit.acct(1).address;
    const read = () => getSenderInfo(chain().publicClient, { ...chain(), sender });
    await fundDeposit(as(1), { ...chain(), amountWei: parseEther('1') });
    await fundReserve(as(1), { ...chain(), amountWei: parseEther('0.5') });
    expect(await read()).toMatchObject({
      depositWei: parseEther('1'),
      reserveWei: parseEther('0.5'),
      withdrawRound: 0n,
    });
    const round = await getCurrentRound(chain().publicClient, chain());
    const { withdrawRound } = await unlock(as(1), chain());
    expect(withdrawRound).toBeGreaterThan(round);
    expect((await read()).withdrawRound).toBe(withdrawRound);
    await cancelUnlock(as(1), chain());
    expect((await read()).withdrawRound).toBe(0n);
  });

  it('refuse a call the chain would revert before sending it, and name a mined revert', async () => {
    // Gas estimation reverts: nothing is sent, viem's error carries the reason.
    await expect(initializeRound(as(5), chain())).rejects.toThrow(/round already initialized/);
    // Sent anyway with its own gas limit: mined, reverted, and said so.
    const hash = await as(5).sendTransaction({
      to: chain().addresses.roundsManager,
      data: encodeFunctionData({ abi: roundsManagerAbi, functionName: 'initializeRound' }),
      gas: 300_000n,
    });
    const reverted = confirmTransaction(chain().publicClient, {
      hash,
      description: 'initializeRound',
    });
    await expect(reverted).rejects.toBeInstanceOf(TransactionRevertedError);
    await expect(reverted).rejects.toMatchObject({
      code: 'transaction_reverted',
      shortMessage: 'initializeRound reverted',
      txHash: hash,
    });
  });

  it('bond, unbond all, and rebond the unbonded lock to another orchestrator', async () => {
    const [a, b, delegator] = [kit.acct(2).address, kit.acct(3).address, kit.acct(5).address];
    const read = () => getDelegator(chain().publicClient, { ...chain(), delegator });
    const amountWei = parseEther('100');
    await mintLpt(chain().walletClient(), { ...chain(), to: delegator, amountWei });
    // The BondingManager may take nothing yet: bond approves it first.
    expect(await bond(as(5), { ...chain(), amountWei, to: a })).toMatchObject({ delegate: a });
    expect(await read()).toMatchObject({ status: 'Pending', bondedWei: amountWei, delegate: a });
    await kit.next();
    expect((await read()).status).toBe('Bonded');
    const { unbondingLockId, withdrawRound } = await unbond(as(5), { ...chain(), amountWei });
    expect(unbondingLockId).toBe(0n);
    expect(withdrawRound).toBeGreaterThan(await getCurrentRound(chain().publicClient, chain()));
    expect(await read()).toMatchObject({ status: 'Unbonded', bondedWei: 0n });
    await rebondFromUnbonded(as(5), { ...chain(), to: b, unbondingLockId });
    expect(await read()).toMatchObject({ bondedWei: amountWei, delegate: b });
    expect(
      (await getTranscoder(chain().publicClient, { ...chain(), transcoder: b })).totalStakeWei,
    ).toBe(parseEther('600'));
  });

  it('redeem winners in one batch, then list them by their events', async () => {
    const [sender, recipient] = [kit.acct(1), kit.acct(2).address];
    await fundDeposit(as(1), { ...chain(), amountWei: parseEther('1') });
    const round = await getCurrentRound(chain().publicClient, chain());
    const auxData = encodeAuxData(
      round,
      await getBlockHashForRound(chain().publicClient, { ...chain(), round }),
    );
    const winners = await Promise.all(
      [1n, 2n].map(async (senderNonce) => {
        const recipientRand = 1_000n + senderNonce;
        const ticket: Ticket = {
          recipient,
          sender: sender.address,
          faceValue: parseEther('0.01'),
          winProb: maxWinProb,
          senderNonce,
          recipientRandHash: getRecipientRandHash(recipientRand),
          auxData,
        };
        return { ticket, signature: await signTicket(sender, ticket), recipientRand };
      }),
    );
    const { receipt } = await batchRedeemWinningTickets(as(2), { ...chain(), tickets: winners });
    for (const { ticket } of winners) {
      const ticketHash = getTicketHash(ticket);
      expect(await isTicketUsed(chain().publicClient, { ...chain(), ticketHash })).toBe(true);
    }
    const redeemed = await getWinningTicketRedemptions(chain().publicClient, {
      ...chain(),
      recipient,
    });
    expect(redeemed.map((r) => [r.senderNonce, r.recipientRand, r.faceValueWei])).toEqual([
      [1n, 1_001n, parseEther('0.01')],
      [2n, 1_002n, parseEther('0.01')],
    ]);
    expect(redeemed.every((r) => r.txHash === receipt.transactionHash)).toBe(true);
    expect(redeemed.every((r) => r.sender === sender.address && r.auxData === auxData)).toBe(true);
    expect(
      await getWinningTicketRedemptions(chain().publicClient, {
        ...chain(),
        sender: zeroAddress,
      }),
    ).toEqual([]);
  });
});
