import {
  type Address,
  type Hex,
  keccak256,
  numberToHex,
  parseEther,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceRound } from './actions/advanceRound.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { getProtocolContracts } from './getProtocolContracts.ts';
import { bondingManagerAbi, ticketBrokerAbi } from './protocolAbis.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';
import { TicketSender } from './TicketSender.ts';
import {
  encodeAuxData,
  getRecipientRandHash,
  getTicketHash,
  isWinningTicket,
  maxWinProb,
  signTicket,
  signTicketWithKey,
  type Ticket,
} from './ticket.ts';
import { createTicketParams } from './ticketParams.ts';
import { loadNativeTicketSignatureBackend } from './ticketSignatures.ts';
import { SenderNonceTracker, validateTicket } from './validateTicket.ts';

let chain: LocalProtocol;
let orchestrator: Address;
let orchestrator2: Address;

const roundLengthBlocks = 20n;
const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const unlockPeriodRounds = 2n;
const ticketValidityPeriodRounds = 2n;

const acct = (i: number) => {
  const account = chain.accounts[i];
  if (!account) throw new Error(`no account ${i}`);
  return account;
};
const deployer = () => chain.walletClient(acct(0));
const gateway = () => chain.walletClient(acct(1));
const orch = () => chain.walletClient(acct(2));
const contracts = () =>
  getProtocolContracts(chain.addresses, { public: chain.publicClient, wallet: gateway() });

const confirm = async (hash: Hex): Promise<TransactionReceipt> => {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  return receipt;
};

const currentRound = () => contracts().roundsManager.read.currentRound();

/** A ticket from the gateway to `recipient`, created in the current round. */
async function makeTicket(
  overrides: Partial<Ticket> & { recipientRand?: bigint } = {},
): Promise<{ ticket: Ticket; recipientRand: bigint }> {
  const round = await currentRound();
  const hash = await contracts().roundsManager.read.blockHashForRound([round]);
  const recipientRand = overrides.recipientRand ?? BigInt(generatePrivateKey());
  const { recipientRand: _, ...fields } = overrides;
  return {
    recipientRand,
    ticket: {
      recipient: orchestrator,
      sender: acct(1).address,
      faceValue: parseEther('0.01'),
      winProb: maxWinProb,
      senderNonce: 1n,
      recipientRandHash: getRecipientRandHash(recipientRand),
      auxData: encodeAuxData(round, hash),
      ...fields,
    },
  };
}

/** A winning ticket from the gateway, signed: the arguments of `redeem`. */
async function signedWinner(overrides: Partial<Ticket> = {}): Promise<[Ticket, Hex, bigint]> {
  const { ticket, recipientRand } = await makeTicket(overrides);
  return [ticket, await signTicket(acct(1), ticket), recipientRand];
}

/** Redeems as the orchestrator (anyone may; the recipient is paid). */
async function redeem(ticket: Ticket, sig: Hex, recipientRand: bigint) {
  return orch().writeContract({
    address: chain.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'redeemWinningTicket',
    args: [ticket, sig, recipientRand],
  });
}

async function fund(depositWei: bigint, reserveWei: bigint) {
  await confirm(
    await contracts().ticketBroker.write.fundDepositAndReserve([depositWei, reserveWei], {
      value: depositWei + reserveWei,
    }),
  );
}

const pendingFees = (address: Address) =>
  chain.publicClient.readContract({
    address: chain.addresses.bondingManager,
    abi: bondingManagerAbi,
    functionName: 'pendingFees',
    args: [address, 0n],
  });

useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: { roundLengthBlocks, unlockPeriodRounds, ticketValidityPeriodRounds },
    async setup(started) {
      chain = started;
      const setup = { ...chain, owner: deployer() };
      orchestrator = await setupOrchestrator(orch(), {
        ...setup,
        stakeWei: parseEther('1000'),
        rewardCutPpm: 0n,
        feeSharePpm: 0n,
      });
      orchestrator2 = await setupOrchestrator(chain.walletClient(acct(3)), {
        ...setup,
        stakeWei: parseEther('500'),
      });
      await advanceRound(deployer(), chain);
    },
  },
);

describe('TicketBroker on anvil', () => {
  it('funds a deposit and a reserve, held by the Minter', async () => {
    const { ticketBroker } = contracts();
    const receipt = await confirm(
      await ticketBroker.write.fundDepositAndReserve([parseEther('1'), parseEther('2')], {
        value: parseEther('3'),
      }),
    );
    const events = parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
    expect(events.map((e) => e.eventName)).toEqual(['DepositFunded', 'ReserveFunded']);
    const [sender, reserve] = await ticketBroker.read.getSenderInfo([acct(1).address]);
    expect(sender).toEqual({ deposit: parseEther('1'), withdrawRound: 0n });
    expect(reserve).toEqual({ fundsRemaining: parseEther('2'), claimedInCurrentRound: 0n });
    expect(await chain.publicClient.getBalance({ address: chain.addresses.minter })).toBe(
      parseEther('3'),
    );

    await confirm(await ticketBroker.write.fundDeposit({ value: 5n }));
    await confirm(await ticketBroker.write.fundReserve({ value: 7n }));
    const [after, reserveAfter] = await ticketBroker.read.getSenderInfo([acct(1).address]);
    expect(after.deposit).toBe(parseEther('1') + 5n);
    expect(reserveAfter.fundsRemaining).toBe(parseEther('2') + 7n);

    await expect(ticketBroker.write.fundDepositAndReserve([1n, 1n], { value: 3n })).rejects.toThrow(
      /msg.value does not equal sum of deposit amount and reserve amount/,
    );
  });

  it('computes the same ticket hash as TypeScript and accepts a TypeScript signature', async () => {
    await fund(parseEther('1'), 0n);
    const { ticket, recipientRand } = await makeTicket({
      winProb: 12345n << 200n,
      senderNonce: 77n,
    });
    expect(await contracts().ticketBroker.read.getTicketHash([ticket])).toBe(getTicketHash(ticket));

    // An always-winning ticket, signed in TypeScript, redeems.
    const winner = await makeTicket();
    const sig = await signTicket(acct(1), winner.ticket);
    expect(sig).toHaveLength(2 + 65 * 2);
    await confirm(await redeem(winner.ticket, sig, winner.recipientRand));
    expect(recipientRand).toBeGreaterThan(0n);
  });

  it('accepts tickets signed by the native secp256k1 addon, and refuses their high-s twin', async () => {
    expect(loadNativeTicketSignatureBackend()?.name).toBe('native');
    await fund(parseEther('1'), 0n);
    const key = acct(1).getHdKey().privateKey;
    if (!key) throw new Error('no HD key');
    const { ticket, recipientRand } = await makeTicket();
    const sig = await signTicketWithKey(key, ticket);
    expect(sig).toBe(await signTicket(acct(1), ticket));
    // s' = n - s, v flipped: ecrecover would accept it; the broker refuses malleable signatures.
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const twin =
      `${sig.slice(0, 66)}${(secp256k1Order - s).toString(16).padStart(64, '0')}${sig.endsWith('1b') ? '1c' : '1b'}` as Hex;
    await expect(redeem(ticket, twin, recipientRand)).rejects.toThrow(
      /invalid signature over ticket hash/,
    );
    await confirm(await redeem(ticket, sig, recipientRand));
  });

  it('redeems a winning ticket: pays from the deposit and credits the recipient with fees', async () => {
    await fund(parseEther('1'), parseEther('1'));
    const { ticket, recipientRand } = await makeTicket();
    const sig = await signTicket(acct(1), ticket);
    const feesBefore = await pendingFees(orchestrator);

    const receipt = await confirm(await redeem(ticket, sig, recipientRand));
    const events = parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
    const transfer = events.find((e) => e.eventName === 'WinningTicketTransfer');
    expect(transfer?.args).toEqual({
      sender: acct(1).address,
      recipient: orchestrator,
      amount: ticket.faceValue,
    });
    const redeemed = events.find((e) => e.eventName === 'WinningTicketRedeemed');
    expect(redeemed?.args).toMatchObject({
      recipientRand,
      senderNonce: 1n,
      faceValue: ticket.faceValue,
    });

    const { ticketBroker } = contracts();
    expect(await ticketBroker.read.usedTickets([getTicketHash(ticket)])).toBe(true);
    const [sender, reserve] = await ticketBroker.read.getSenderInfo([acct(1).address]);
    expect(sender.deposit).toBe(parseEther('1') - ticket.faceValue);
    expect(reserve.fundsRemaining).toBe(parseEther('1'));
    // feeShare 0: the orchestrator keeps all of it as commission.
    expect((await pendingFees(orchestrator)) - feesBefore).toBe(ticket.faceValue);
  });

  it('refuses to redeem the same ticket twice', async () => {
    await fund(parseEther('1'), 0n);
    const { ticket, recipientRand } = await makeTicket();
    const sig = await signTicket(acct(1), ticket);
    await confirm(await redeem(ticket, sig, recipientRand));
    await expect(redeem(ticket, sig, recipientRand)).rejects.toThrow(/ticket is used/);
  });

  it('rejects a wrong signer, a changed recipient, an unregistered recipient and a wrong recipientRand', async () => {
    await fund(parseEther('1'), 0n);
    const { ticket, recipientRand } = await makeTicket();

    const stranger = privateKeyToAccount(generatePrivateKey());
    await expect(redeem(ticket, await signTicket(stranger, ticket), recipientRand)).rejects.toThrow(
      /invalid signature over ticket hash/,
    );

    const sig = await signTicket(acct(1), ticket);
    await expect(
      redeem({ ...ticket, recipient: orchestrator2 }, sig, recipientRand),
    ).rejects.toThrow(/invalid signature over ticket hash/);
    await expect(redeem(ticket, `${sig.slice(0, -2)}1d` as Hex, recipientRand)).rejects.toThrow(
      /invalid signature over ticket hash/,
    );

    const toNobody = { ...ticket, recipient: acct(5).address };
    await expect(
      redeem(toNobody, await signTicket(acct(1), toNobody), recipientRand),
    ).rejects.toThrow(/transcoder must be registered/);

    await expect(redeem(ticket, sig, recipientRand + 1n)).rejects.toThrow(
      /recipientRand does not match recipientRandHash/,
    );
  });

  it('rejects expired tickets and tickets with a wrong creation round block hash', async () => {
    await fund(parseEther('1'), 0n);
    const { ticket, recipientRand } = await makeTicket();
    const sig = await signTicket(acct(1), ticket);

    const round = await currentRound();
    const forged = await makeTicket({
      auxData: encodeAuxData(round, keccak256('0x01')),
      recipientRand,
    });
    await expect(
      redeem(forged.ticket, await signTicket(acct(1), forged.ticket), recipientRand),
    ).rejects.toThrow(/ticket creationRoundBlockHash invalid for creationRound/);
    const noHash = await makeTicket({
      auxData: encodeAuxData(round + 5n, keccak256('0x01')),
      recipientRand,
    });
    await expect(
      redeem(noHash.ticket, await signTicket(acct(1), noHash.ticket), recipientRand),
    ).rejects.toThrow(/ticket creationRound does not have a block hash/);
    const shortAux = await makeTicket({ auxData: '0x1234', recipientRand });
    await expect(
      redeem(shortAux.ticket, await signTicket(acct(1), shortAux.ticket), recipientRand),
    ).rejects.toThrow(/invalid length for ticket auxData/);

    // Valid through creationRound + ticketValidityPeriod - 1.
    await advanceRound(deployer(), { ...chain, rounds: ticketValidityPeriodRounds });
    await expect(redeem(ticket, sig, recipientRand)).rejects.toThrow(/ticket is expired/);
  });

  it('pays what the deposit cannot cover from the reserve, up to reserve / active set size', async () => {
    // Two active orchestrators: each may claim half of the reserve per round.
    await fund(parseEther('0.1'), parseEther('1'));
    const { ticketBroker } = contracts();
    expect(await ticketBroker.read.claimableReserve([acct(1).address, orchestrator])).toBe(
      parseEther('0.5'),
    );
    expect(await ticketBroker.read.claimableReserve([acct(1).address, acct(5).address])).toBe(0n);

    const first = await makeTicket({ faceValue: parseEther('0.3') });
    let receipt = await confirm(
      await redeem(first.ticket, await signTicket(acct(1), first.ticket), first.recipientRand),
    );
    let events = parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
    expect(events.find((e) => e.eventName === 'ReserveClaimed')?.args).toEqual({
      reserveHolder: acct(1).address,
      claimant: orchestrator,
      amount: parseEther('0.2'),
    });
    expect(events.find((e) => e.eventName === 'WinningTicketTransfer')?.args.amount).toBe(
      parseEther('0.3'),
    );
    expect(await ticketBroker.read.claimedReserve([acct(1).address, orchestrator])).toBe(
      parseEther('0.2'),
    );
    expect(await ticketBroker.read.claimableReserve([acct(1).address, orchestrator])).toBe(
      parseEther('0.3'),
    );

    // A ticket larger than the remaining allocation pays only the allocation.
    const second = await makeTicket({ faceValue: parseEther('0.8'), senderNonce: 2n });
    receipt = await confirm(
      await redeem(second.ticket, await signTicket(acct(1), second.ticket), second.recipientRand),
    );
    events = parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
    expect(events.find((e) => e.eventName === 'WinningTicketTransfer')?.args.amount).toBe(
      parseEther('0.3'),
    );
    const [sender, reserve] = await ticketBroker.read.getSenderInfo([acct(1).address]);
    expect(sender.deposit).toBe(0n);
    expect(reserve).toEqual({
      fundsRemaining: parseEther('0.5'),
      claimedInCurrentRound: parseEther('0.5'),
    });
    expect(await ticketBroker.read.claimableReserve([acct(1).address, orchestrator])).toBe(0n);
    expect(await ticketBroker.read.claimableReserve([acct(1).address, orchestrator2])).toBe(
      parseEther('0.5'),
    );
    expect(await pendingFees(orchestrator)).toBe(parseEther('0.6'));
  });

  it('agrees with TypeScript on which tickets win at winProb = 2^255', async () => {
    await fund(parseEther('10'), 0n);
    const winProb = 1n << 255n;
    const round = await currentRound();
    const auxData = encodeAuxData(
      round,
      await contracts().roundsManager.read.blockHashForRound([round]),
    );
    let winners = 0;
    let losers = 0;
    for (let i = 0; i < 48; i++) {
      const recipientRand = BigInt(keccak256(numberToHex(i + 1000)));
      const ticket: Ticket = {
        recipient: orchestrator,
        sender: acct(1).address,
        faceValue: 1000n,
        winProb,
        senderNonce: BigInt(i),
        recipientRandHash: getRecipientRandHash(recipientRand),
        auxData,
      };
      const sig = await signTicket(acct(1), ticket);
      const wins = isWinningTicket(sig, recipientRand, winProb);
      const simulated = chain.publicClient.simulateContract({
        account: acct(2),
        address: chain.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'redeemWinningTicket',
        args: [ticket, sig, recipientRand],
      });
      if (wins) {
        await expect(simulated).resolves.toBeDefined();
        winners++;
      } else {
        await expect(simulated).rejects.toThrow(/ticket did not win/);
        losers++;
      }
    }
    expect(winners).toBeGreaterThan(0);
    expect(losers).toBeGreaterThan(0);
  });

  it('redeems a batch, skipping the tickets that fail', async () => {
    await fund(parseEther('1'), 0n);
    const a = await makeTicket({ senderNonce: 1n });
    const b = await makeTicket({ senderNonce: 2n });
    const sigA = await signTicket(acct(1), a.ticket);
    const sigB = await signTicket(acct(1), b.ticket);
    await confirm(await redeem(a.ticket, sigA, a.recipientRand));
    const receipt = await confirm(
      await orch().writeContract({
        address: chain.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'batchRedeemWinningTickets',
        args: [
          [a.ticket, b.ticket],
          [sigA, sigB],
          [a.recipientRand, b.recipientRand],
        ],
      }),
    );
    const transfers = parseEventLogs({
      abi: ticketBrokerAbi,
      logs: receipt.logs,
      eventName: 'WinningTicketTransfer',
    });
    expect(transfers).toHaveLength(1);
    expect(await contracts().ticketBroker.read.usedTickets([getTicketHash(b.ticket)])).toBe(true);

    // Too little gas for every ticket reverts the batch instead of skipping tickets silently.
    const c = await makeTicket({ senderNonce: 3n });
    const d = await makeTicket({ senderNonce: 4n });
    const batch = {
      address: chain.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'batchRedeemWinningTickets',
      args: [
        [c.ticket, d.ticket],
        [await signTicket(acct(1), c.ticket), await signTicket(acct(1), d.ticket)],
        [c.recipientRand, d.recipientRand],
      ],
    } as const;
    const starved = await chain.publicClient.waitForTransactionReceipt({
      hash: await orch().writeContract({ ...batch, gas: 300_000n }),
    });
    expect(starved.status).toBe('reverted');
    expect(await contracts().ticketBroker.read.usedTickets([getTicketHash(c.ticket)])).toBe(false);
    const full = await confirm(await orch().writeContract(batch));
    expect(
      parseEventLogs({ abi: ticketBrokerAbi, logs: full.logs, eventName: 'WinningTicketTransfer' }),
    ).toHaveLength(2);
  });

  it('unlocks, then withdraws deposit and reserve after the unlock period', async () => {
    await fund(parseEther('1'), parseEther('2'));
    const { ticketBroker } = contracts();
    await expect(ticketBroker.write.withdraw()).rejects.toThrow(/no unlock request in progress/);

    const round = await currentRound();
    const receipt = await confirm(await ticketBroker.write.unlock());
    const [unlock] = parseEventLogs({
      abi: ticketBrokerAbi,
      logs: receipt.logs,
      eventName: 'Unlock',
    });
    expect(unlock?.args).toEqual({
      sender: acct(1).address,
      startRound: round,
      endRound: round + unlockPeriodRounds,
    });
    expect(await ticketBroker.read.isUnlockInProgress([acct(1).address])).toBe(true);
    await expect(ticketBroker.write.unlock()).rejects.toThrow(/unlock already initiated/);

    // Funding again cancels the unlock; unlock once more.
    await confirm(await ticketBroker.write.fundDeposit({ value: 1n }));
    expect(await ticketBroker.read.isUnlockInProgress([acct(1).address])).toBe(false);
    await confirm(await ticketBroker.write.unlock());
    await confirm(await ticketBroker.write.cancelUnlock());
    await expect(ticketBroker.write.cancelUnlock()).rejects.toThrow(
      /no unlock request in progress/,
    );
    await confirm(await ticketBroker.write.unlock());

    await advanceRound(deployer(), chain);
    await expect(ticketBroker.write.withdraw()).rejects.toThrow(/account is locked/);
    // A ticket signed in the last locked round redeems then, not from the withdraw round on.
    await confirm(await redeem(...(await signedWinner({ senderNonce: 1n }))));
    const late = await signedWinner({ senderNonce: 2n });
    const withdrawRound = await advanceRound(deployer(), chain);
    await expect(redeem(...late)).rejects.toThrow(/sender is unlocked/);

    const before = await chain.publicClient.getBalance({ address: acct(1).address });
    const withdrawal = await confirm(await ticketBroker.write.withdraw());
    const after = await chain.publicClient.getBalance({ address: acct(1).address });
    const gas = withdrawal.gasUsed * withdrawal.effectiveGasPrice;
    expect(after - before + gas).toBe(parseEther('3') + 1n - parseEther('0.01'));
    const [event] = parseEventLogs({
      abi: ticketBrokerAbi,
      logs: withdrawal.logs,
      eventName: 'Withdrawal',
    });
    expect(event?.args).toEqual({
      sender: acct(1).address,
      deposit: parseEther('1') + 1n - parseEther('0.01'),
      reserve: parseEther('2'),
    });
    // As in Livepeer's broker, the sender stays unlocked (withdrawRound kept) until it funds again.
    const [sender, reserve] = await ticketBroker.read.getSenderInfo([acct(1).address]);
    expect(sender).toEqual({ deposit: 0n, withdrawRound });
    expect(reserve.fundsRemaining).toBe(0n);
    expect(await ticketBroker.read.isUnlockInProgress([acct(1).address])).toBe(true);
    await confirm(await ticketBroker.write.fundDeposit({ value: 1n }));
    expect(await ticketBroker.read.isUnlockInProgress([acct(1).address])).toBe(false);
  });

  it('pays the orchestrator end to end: params, a TicketSender batch, validation, redemption', async () => {
    await fund(parseEther('1'), parseEther('1'));
    const secret = generatePrivateKey();
    const round = await currentRound();
    const blockHash = await contracts().roundsManager.read.blockHashForRound([round]);
    const block = await chain.publicClient.getBlockNumber();
    const params = createTicketParams({
      recipient: orchestrator,
      sender: acct(1).address,
      secret,
      gasPriceWei: 1_000_000_000n,
      currentBlock: block,
      expirationParams: { creationRound: round, creationRoundBlockHash: blockHash },
      // A high expected value so that some of the few tickets win.
      options: { expectedValueWei: parseEther('0.02') },
    });
    const sender = new TicketSender({ account: acct(1) });
    const batch = await sender.createTicketBatch({ params, amountWei: parseEther('0.1') });
    expect(batch.expectedValueWei).toBeGreaterThanOrEqual(parseEther('0.1'));

    const nonces = new SenderNonceTracker();
    let credited = 0n;
    let redeemedWei = 0n;
    for (const signed of batch.tickets) {
      const result = await validateTicket(signed, {
        recipient: orchestrator,
        secret,
        currentRound: round,
        currentBlock: block,
        roundBlockHash: (r) => (r === round ? blockHash : undefined),
        senderFunds: { depositWei: parseEther('1'), reserveAllocationWei: 0n },
        nonces,
      });
      if (!result.ok) throw new Error(`${result.reason}: ${result.details}`);
      credited += result.expectedValueWei;
      if (result.isWinner) {
        await confirm(await redeem(signed.ticket, signed.signature, result.recipientRand));
        redeemedWei += signed.ticket.faceValue;
      } else {
        await expect(redeem(signed.ticket, signed.signature, result.recipientRand)).rejects.toThrow(
          /ticket did not win/,
        );
      }
    }
    expect(credited).toBe(batch.expectedValueWei);
    expect(await pendingFees(orchestrator)).toBe(redeemedWei);
  });

  it('stops everything while the Controller is paused', async () => {
    await confirm(
      await deployer().writeContract({
        address: chain.addresses.controller,
        abi: (await import('./protocolAbis.ts')).controllerAbi,
        functionName: 'pause',
      }),
    );
    await expect(contracts().ticketBroker.write.fundDeposit({ value: 1n })).rejects.toThrow(
      /system is paused/,
    );
  });
});
