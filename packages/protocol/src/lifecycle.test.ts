import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Address, parseEther, parseEventLogs, zeroAddress } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approveBondingManager } from './actions/approveBondingManager.ts';
import { mintLpt } from './actions/mintLpt.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import {
  paramsWithWinFraction,
  protocolTestKit,
  useLocalProtocol,
} from './fixtures/protocolTestKit.ts';
import { bondingManagerAbi, ticketBrokerAbi } from './protocolAbis.ts';
import { RedemptionQueue } from './RedemptionQueue.ts';
import { TicketRecipient } from './TicketRecipient.ts';
import { TicketSender } from './TicketSender.ts';
import {
  encodeAuxData,
  getRecipientRandHash,
  getTicketHash,
  maxWinProb,
  signTicket,
  type Ticket,
} from './ticket.ts';
import { ticketRejectionReasons } from './validateTicket.ts';

const unbondingPeriodRounds = 2n;
// One anvil for the file, reverted to a snapshot before each test. 100-block rounds: the
// minute of stream's winners (about 15, one redemption a block) are redeemed in its round.
const local = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  { deploy: { roundLengthBlocks: 100n, unbondingPeriodRounds, ticketValidityPeriodRounds: 2n } },
);
const { acct, as, confirm, next, isNear } = protocolTestKit(() => local.chain);
const near = (actual: bigint, expected: bigint, tolerance = 3n) =>
  expect(isNear(actual, expected, tolerance), `${actual} ≈ ${expected}`).toBe(true);

// Accounts: 0 deployer (Controller owner, token owner, Verifier), 1 gateway, 2 orchestrator,
// 3 delegator, 4 a second gateway, 5 finder, 6 a stranger with nothing, 8 a fee recipient.
const [DEPLOYER, GATEWAY, ORCH, DELEGATOR, GATEWAY2, FINDER, STRANGER, FEE_RECIPIENT] = [
  0, 1, 2, 3, 4, 5, 6, 8,
];
const PPM = 1_000_000n;
const rewardCutPpm = 100_000n;
const feeSharePpm = 250_000n;
let orchestrator: Address;

/** The deployer mints `amountWei` LPT to account i, which lets the BondingManager take it. */
async function mintAndApprove(i: number, amountWei: bigint): Promise<void> {
  const chain = local.chain;
  await mintLpt(chain.walletClient(), { ...chain, to: acct(i).address, amountWei });
  await approveBondingManager(chain.walletClient(acct(i)), { ...chain, amountWei });
}

/** The orchestrator (1000 LPT self-bonded, 10 % reward cut, 25 % fee share) and a 1000 LPT delegator. */
async function registerOrchestrator(): Promise<Address> {
  const address = await setupOrchestrator(local.chain.walletClient(acct(ORCH)), {
    ...local.chain,
    owner: local.chain.walletClient(),
    stakeWei: parseEther('1000'),
    rewardCutPpm,
    feeSharePpm,
    serviceUri: 'https://orch.example:8935',
  });
  await mintAndApprove(DELEGATOR, parseEther('1000'));
  await confirm(await as(DELEGATOR).bondingManager.write.bond([parseEther('1000'), address]));
  return address;
}

let dbCount = 0;
async function orchestratorNode() {
  const queue = await RedemptionQueue.create({
    databasePath: join(local.tmp, `winners-${++dbCount}.sqlite`),
    publicClient: local.chain.publicClient,
    walletClient: local.chain.walletClient(acct(ORCH)),
    ticketBroker: local.chain.addresses.ticketBroker,
    options: { retryBaseDelayMs: 10 },
  });
  local.closeAfterTest(() => queue.close());
  const recipient = await TicketRecipient.create({
    address: orchestrator,
    secret: '0x5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed',
    publicClient: local.chain.publicClient,
    addresses: local.chain.addresses,
    redemptionQueue: queue,
  });
  return { queue, recipient };
}

describe('the protocol lifecycle on anvil', () => {
  it('deposit → register → round → stream tickets → redeem → fees → reward → claim → unbond → withdraw → slash', {
    timeout: 120_000,
  }, async () => {
    // 1. The gateway funds a deposit and a reserve.
    const gateway = as(GATEWAY);
    await confirm(
      await gateway.ticketBroker.write.fundDepositAndReserve([parseEther('5'), parseEther('1')], {
        value: parseEther('6'),
      }),
    );
    const [senderInfo, reserveInfo] = await gateway.ticketBroker.read.getSenderInfo([
      acct(GATEWAY).address,
    ]);
    expect([senderInfo.deposit, reserveInfo.fundsRemaining]).toEqual([
      parseEther('5'),
      parseEther('1'),
    ]);

    // 2. The orchestrator bonds, registers as a transcoder and sets its service URI; a
    // delegator bonds to it. It joins the active set from the next round.
    orchestrator = await registerOrchestrator();
    const bondingManager = as(DEPLOYER).bondingManager;
    const [, cut, share] = await bondingManager.read.getTranscoder([orchestrator]);
    expect([cut, share]).toEqual([rewardCutPpm, feeSharePpm]);
    expect(await as(DEPLOYER).serviceRegistry.read.getServiceURI([orchestrator])).toBe(
      'https://orch.example:8935',
    );
    expect(await bondingManager.read.transcoderTotalStake([orchestrator])).toBe(parseEther('2000'));
    expect(await bondingManager.read.isActiveTranscoder([orchestrator])).toBe(false);

    // 3. The next round is initialised: the orchestrator is active.
    const streamRound = await next();
    expect(await as(DEPLOYER).roundsManager.read.currentRoundInitialized()).toBe(true);
    expect(await bondingManager.read.isActiveTranscoder([orchestrator])).toBe(true);

    // 4. A minute of stream: 10 s up front, then every second, one ticket a second at a
    // price equal to the ticket's expected value; a ticket wins 1 time in 4.
    const { queue, recipient } = await orchestratorNode();
    const sender = new TicketSender({ account: acct(GATEWAY) });
    expect(sender.signer).toBe('native');
    let params = await paramsWithWinFraction(recipient, sender.address, 4n);
    const priceWeiPerSecond = (params.faceValue * params.winProb) >> 256n;
    const pay = async (seconds: bigint) => {
      const batch = await sender.createTicketBatch({
        params,
        amountWei: seconds * priceWeiPerSecond,
        currentBlock: await local.chain.publicClient.getBlockNumber(),
      });
      expect(batch.tickets).toHaveLength(Number(seconds));
      const received = await recipient.receiveTickets('stream-1', batch.tickets);
      expect(received.results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(
        batch.tickets.map(() => 'ok'),
      );
      // A winner retires the params it used (its redemption publishes their recipientRand):
      // the sender pays on with new ones, as a gateway does.
      if (received.retiredParams.length > 0) {
        expect(received.retiredParams).toEqual([params.recipientRandHash]);
        params = await recipient.ticketParams(sender.address);
      }
      return received;
    };
    const upfront = await pay(10n);
    let credited = upfront.creditedWei;
    let winners = upfront.winners;
    for (let second = 0; second < 50; second++) {
      const received = await pay(1n);
      credited += received.creditedWei;
      winners += received.winners;
      recipient.charge('stream-1', priceWeiPerSecond);
    }
    expect(credited).toBe(60n * priceWeiPerSecond);
    expect(recipient.balance('stream-1')).toBe(10n * priceWeiPerSecond);
    expect(winners).toBeGreaterThan(0); // P(no winner in 60 at 1/4) ≈ 3e-8
    expect(queue.store.counts().pending).toBe(winners);

    // 5. The winners are redeemed on chain, once each; the fees are split by feeShare.
    queue.start();
    await queue.whenIdle();
    expect(queue.store.counts()).toMatchObject({ redeemed: winners, pending: 0, failed: 0 });
    expect(await as(DEPLOYER).roundsManager.read.currentRound()).toBe(streamRound);
    for (const stored of queue.store.list('redeemed')) {
      expect(await gateway.ticketBroker.read.usedTickets([stored.ticketHash])).toBe(true);
    }
    const fees = BigInt(winners) * params.faceValue;
    const [afterStream] = await gateway.ticketBroker.read.getSenderInfo([acct(GATEWAY).address]);
    expect(afterStream.deposit).toBe(parseEther('5') - fees);
    // feeShare 25 % goes to the 2000 LPT of stake (half the delegator's), the rest is commission.
    const delegatorsFees = (fees * feeSharePpm) / PPM;
    near(await bondingManager.read.pendingFees([acct(DELEGATOR).address, 0n]), delegatorsFees / 2n);
    near(
      await bondingManager.read.pendingFees([orchestrator, 0n]),
      fees - delegatorsFees + delegatorsFees / 2n,
    );

    // 6. reward() mints the round's inflation; the orchestrator has all the active stake, so
    // all of it, split by rewardCut.
    const mintable = await as(DEPLOYER).minter.read.currentMintableTokens();
    expect(mintable).toBeGreaterThan(0n);
    const rewardReceipt = await confirm(await as(ORCH).bondingManager.write.reward());
    const [rewardEvent] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: rewardReceipt.logs,
      eventName: 'Reward',
    });
    expect(rewardEvent?.args).toEqual({ transcoder: orchestrator, amount: mintable });
    const delegatorsRewards = mintable - (mintable * rewardCutPpm) / PPM;
    near(
      await bondingManager.read.pendingStake([acct(DELEGATOR).address, 0n]),
      parseEther('1000') + delegatorsRewards / 2n,
    );
    near(
      await bondingManager.read.pendingStake([orchestrator, 0n]),
      parseEther('1000') + mintable - delegatorsRewards / 2n,
    );

    // 7. In a later round the delegator claims: stake and fees become its own; it withdraws
    // the fees in ETH.
    await next();
    const delegator = as(DELEGATOR);
    const pendingStake = await delegator.bondingManager.read.pendingStake([
      acct(DELEGATOR).address,
      0n,
    ]);
    const pendingFees = await delegator.bondingManager.read.pendingFees([
      acct(DELEGATOR).address,
      0n,
    ]);
    const claimRound = await delegator.roundsManager.read.currentRound();
    await confirm(await delegator.bondingManager.write.claimEarnings([claimRound]));
    const [bondedAmount, claimedFees, , , , lastClaimRound] =
      await delegator.bondingManager.read.getDelegator([acct(DELEGATOR).address]);
    // Settled through the round before the claim (this round's pool is still open).
    expect([bondedAmount, claimedFees, lastClaimRound]).toEqual([
      pendingStake,
      pendingFees,
      claimRound - 1n,
    ]);
    const feeRecipient = acct(FEE_RECIPIENT).address;
    const ethBefore = await local.chain.publicClient.getBalance({ address: feeRecipient });
    await confirm(await delegator.bondingManager.write.withdrawFees([feeRecipient, pendingFees]));
    expect(await local.chain.publicClient.getBalance({ address: feeRecipient })).toBe(
      ethBefore + pendingFees,
    );

    // 8. It unbonds everything, and withdraws the LPT once the unbonding period has passed.
    const unbondReceipt = await confirm(
      await delegator.bondingManager.write.unbond([bondedAmount]),
    );
    const [unbond] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: unbondReceipt.logs,
      eventName: 'Unbond',
    });
    expect(unbond?.args.withdrawRound).toBe(claimRound + unbondingPeriodRounds);
    expect(await delegator.bondingManager.read.delegatorStatus([acct(DELEGATOR).address])).toBe(2);
    await expect(delegator.bondingManager.write.withdrawStake([0n])).rejects.toThrow(
      /withdraw round must be before or equal to the current round/,
    );
    await next(unbondingPeriodRounds);
    const lptBefore = await delegator.livepeerToken.read.balanceOf([acct(DELEGATOR).address]);
    await confirm(await delegator.bondingManager.write.withdrawStake([0n]));
    expect(await delegator.livepeerToken.read.balanceOf([acct(DELEGATOR).address])).toBe(
      lptBefore + bondedAmount,
    );

    // 9. The verifier slashes the orchestrator by half (10 % of it to the finder): it leaves
    // the pool from the next round.
    const orchStake = await bondingManager.read.pendingStake([orchestrator, 0n]);
    const supply = await as(DEPLOYER).livepeerToken.read.totalSupply();
    const slashReceipt = await confirm(
      await bondingManager.write.slashTranscoder([
        orchestrator,
        acct(FINDER).address,
        500_000n,
        100_000n,
      ]),
    );
    const [slashed] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: slashReceipt.logs,
      eventName: 'TranscoderSlashed',
    });
    const penalty = orchStake / 2n;
    expect(slashed?.args).toEqual({
      transcoder: orchestrator,
      finder: acct(FINDER).address,
      penalty,
      finderReward: penalty / 10n,
    });
    expect(await as(DEPLOYER).livepeerToken.read.balanceOf([acct(FINDER).address])).toBe(
      penalty / 10n,
    );
    expect(await as(DEPLOYER).livepeerToken.read.totalSupply()).toBe(
      supply - penalty + penalty / 10n,
    );
    expect(await bondingManager.read.getTranscoderPoolSize()).toBe(0n);
    await next();
    expect(await bondingManager.read.isActiveTranscoder([orchestrator])).toBe(false);
    expect(streamRound).toBeGreaterThan(0n);
  });

  it('pays from the reserve once the deposit is gone, up to the orchestrator allocation', async () => {
    orchestrator = await registerOrchestrator();
    await next();
    // A small deposit and a large reserve; the only active orchestrator may claim all of it.
    const gateway = as(GATEWAY2);
    const depositWei = parseEther('0.01');
    await confirm(
      await gateway.ticketBroker.write.fundDepositAndReserve([depositWei, parseEther('2')], {
        value: depositWei + parseEther('2'),
      }),
    );
    const { queue, recipient } = await orchestratorNode();
    const sender = new TicketSender({ account: acct(GATEWAY2) });
    const params = await paramsWithWinFraction(recipient, sender.address, 1n);
    expect(params.faceValue).toBeGreaterThan(depositWei);
    const batch = await sender.createTicketBatch({
      params,
      amountWei: 2n * (params.faceValue - 1n),
    });
    const received = await recipient.receiveTickets('stream-2', batch.tickets);
    expect(received.winners).toBe(2);
    queue.start();
    await queue.whenIdle();
    expect(queue.store.counts().redeemed).toBe(2);

    const claimed = 2n * params.faceValue - depositWei;
    const [senderInfo, reserve] = await gateway.ticketBroker.read.getSenderInfo([
      acct(GATEWAY2).address,
    ]);
    expect(senderInfo.deposit).toBe(0n);
    expect(reserve).toEqual({
      fundsRemaining: parseEther('2') - claimed,
      claimedInCurrentRound: claimed,
    });
    expect(
      await gateway.ticketBroker.read.claimedReserve([acct(GATEWAY2).address, orchestrator]),
    ).toBe(claimed);
    expect(
      await gateway.ticketBroker.read.claimableReserve([acct(GATEWAY2).address, orchestrator]),
    ).toBe(parseEther('2') - claimed);
    expect(await as(DEPLOYER).bondingManager.read.pendingFees([orchestrator, 0n])).toBeGreaterThan(
      0n,
    );
  });

  it("rejects a winner that cannot be stored ('winner_not_stored'), crediting nothing", async () => {
    orchestrator = await registerOrchestrator();
    await next();
    await confirm(await as(GATEWAY).ticketBroker.write.fundDeposit({ value: parseEther('1') }));
    const { queue, recipient } = await orchestratorNode();
    const sender = new TicketSender({ account: acct(GATEWAY) });
    const params = await paramsWithWinFraction(recipient, sender.address, 1n);
    const batch = await sender.createTicketBatch({ params, amountWei: params.faceValue - 1n });
    // The store is gone (closed here; a full disk in real life); funds are not read from it.
    recipient.update({ checkSenderFunds: false });
    await queue.close();
    const received = await recipient.receiveTickets('s', batch.tickets);
    expect(received.results[0]).toMatchObject({ ok: false, reason: 'winner_not_stored' });
    expect(received.creditedWei).toBe(0n);
    expect(recipient.balance('s')).toBe(0n);
  });
});

/** A winning ticket (winProb max) from `from` to `recipient`, in the current round. */
async function winningTicket(from: number, recipient: Address, nonce = 1n) {
  const rounds = as(DEPLOYER).roundsManager;
  const round = await rounds.read.currentRound();
  const ticket: Ticket = {
    recipient,
    sender: acct(from).address,
    faceValue: parseEther('0.01'),
    winProb: maxWinProb,
    senderNonce: nonce,
    recipientRandHash: getRecipientRandHash(nonce + 1000n),
    auxData: encodeAuxData(round, await rounds.read.blockHashForRound([round])),
  };
  return { ticket, signature: await signTicket(acct(from), ticket), recipientRand: nonce + 1000n };
}

/**
 * Every `require` message in the contracts, and where a test makes a client hit it: here
 * ('lifecycle'), in another test file, or why no client can (owner-only administration,
 * constructor arguments, calls only the protocol's own contracts make).
 */
const revertCoverage: Record<string, string> = {
  // TicketBroker
  'msg.value does not equal sum of deposit amount and reserve amount': 'TicketBroker.test.ts',
  'sender deposit and reserve are zero': 'lifecycle',
  'tickets, sigs and recipientRands must have the same length': 'lifecycle',
  'insufficient gas to redeem every ticket': 'lifecycle',
  'unlock already initiated': 'TicketBroker.test.ts',
  'no unlock request in progress': 'TicketBroker.test.ts',
  'account is locked': 'TicketBroker.test.ts',
  'sender is unlocked': 'TicketBroker.test.ts',
  'ticket recipient is null address': 'lifecycle',
  'ticket sender is null address': 'lifecycle',
  'recipientRand does not match recipientRandHash': 'TicketBroker.test.ts',
  'ticket is used': 'TicketBroker.test.ts',
  'invalid signature over ticket hash': 'TicketBroker.test.ts',
  'ticket did not win': 'TicketBroker.test.ts',
  'ticket creationRound does not have a block hash': 'TicketBroker.test.ts',
  'ticket creationRoundBlockHash invalid for creationRound': 'TicketBroker.test.ts',
  'ticket is expired': 'TicketBroker.test.ts',
  'invalid length for ticket auxData: must be 64 bytes': 'TicketBroker.test.ts',
  'ticketValidityPeriod must be greater than 0': 'admin: setTicketValidityPeriod',
  // RoundsManager
  'round already initialized': 'lifecycle',
  'can only retrieve past block hashes': 'lifecycle',
  'can only retrieve hashes for last 256 blocks': 'lifecycle',
  'round length cannot be 0': 'admin: setRoundLength',
  'round lock amount must be a valid percentage': 'admin: setRoundLockAmount',
  'LIP upgrade round already set': 'contractSurface.test.ts',
  // BondingManager
  'current round is not initialized': 'lifecycle',
  "can't update transcoder params, current round is locked": 'BondingManager.test.ts',
  'invalid rewardCut percentage': 'lifecycle',
  'invalid feeShare percentage': 'lifecycle',
  'transcoder must be registered': 'TicketBroker.test.ts',
  "caller can't be active or must have already called reward for the current round": 'lifecycle',
  'caller must be an active transcoder': 'BondingManager.test.ts',
  'caller has already called reward for the current round': 'BondingManager.test.ts',
  'caller must be Verifier': 'BondingManager.test.ts',
  'invalid slash amount': 'lifecycle',
  'invalid finder fee': 'lifecycle',
  'caller must be bonded': 'lifecycle',
  'unbond amount must be greater than 0': 'lifecycle',
  'amount is greater than bonded amount': 'BondingManager.test.ts',
  'caller must be unbonded': 'lifecycle',
  'invalid unbonding lock ID': 'BondingManager.test.ts',
  'withdraw round must be before or equal to the current round': 'BondingManager.test.ts',
  'invalid recipient': 'lifecycle',
  'insufficient fees to withdraw': 'BondingManager.test.ts',
  'end round must be before or equal to current round': 'lifecycle',
  'invalid delegate': 'lifecycle',
  "registered transcoders can't delegate towards other addresses": 'BondingManager.test.ts',
  'token transfer failed': 'internal: the token returns false only where it reverts first',
  'numActiveTranscoders must be greater than 0': 'admin: setNumActiveTranscoders',
  INVALID_DELEGATOR: 'contractSurface.test.ts',
  INVALID_DELEGATE: 'contractSurface.test.ts',
  INVALID_DELEGATE_CHANGE: 'contractSurface.test.ts',
  'delegation amount must be greater than 0': 'contractSurface.test.ts',
  '_cutRate is invalid precise percentage': 'admin: setTreasuryRewardCutRate',
  // SortedTranscoderPool
  'list is full': 'internal: the BondingManager evicts the smallest member before inserting',
  'node already in list': 'internal: the BondingManager inserts only non-members',
  'id is null': 'internal: only registered orchestrators join the pool',
  'node not in list': 'internal: the BondingManager removes and updates only members',
  // ManagerProxy
  'target contract must be registered': 'contractSurface.test.ts',
  'new limit cannot be less than current pool size': 'admin: setNumActiveTranscoders',
  // LivepeerToken
  'insufficient allowance': 'lifecycle',
  'transfer amount exceeds balance': 'lifecycle',
  'burn amount exceeds balance': 'lifecycle',
  'caller must be a minter': 'lifecycle',
  'caller must be owner': 'admin: token and Controller owner',
  'invalid owner': 'admin: transferOwnership',
  // Minter
  'use depositETH': 'lifecycle',
  'caller must be BondingManager or TicketBroker': 'internal: trustedWithdrawETH',
  'minted tokens cannot exceed mintable tokens': 'internal: createReward, bounded by reward()',
  'ETH transfer failed': 'internal: a fee recipient that refuses ETH (a contract)',
  'inflation must be a valid percentage': 'admin: constructor',
  'inflation change must be a valid percentage': 'admin: setInflationChange, constructor',
  'target bonding rate must be a valid percentage': 'admin: setTargetBondingRate, constructor',
  // Controller, Manager
  'system is paused': 'TicketBroker.test.ts',
  'system is not paused': 'admin: unpause',
  'invalid controller': 'admin: constructor',
  'caller must be Controller': 'admin: setController',
  'caller must be Controller owner': 'admin: parameter setters',
  'caller must be ': 'internal: onlyContract, calls between the protocol contracts',
};

describe('every rejection a client can hit', () => {
  it('lists every require of the contracts: tested here, tested elsewhere, or not reachable by a client', () => {
    const contracts = join(import.meta.dirname, '..', 'contracts');
    const messages = new Set<string>();
    for (const file of readdirSync(contracts).filter((f) => f.endsWith('.sol'))) {
      const source = readFileSync(join(contracts, file), 'utf8');
      for (const match of source.matchAll(
        /require\(\s*[^;]*?,\s*(?:string\.concat\()?"([^"]+)"/g,
      )) {
        messages.add(match[1] as string);
      }
    }
    expect(messages.size).toBeGreaterThan(50);
    expect([...messages].filter((m) => !(m in revertCoverage))).toEqual([]);
    const source = (file: string) => readFileSync(join(import.meta.dirname, file), 'utf8');
    for (const [message, where] of Object.entries(revertCoverage)) {
      if (where === 'lifecycle' || where.endsWith('.test.ts')) {
        const file = where === 'lifecycle' ? 'lifecycle.test.ts' : where;
        expect(
          regexLiterals(source(file)).some((r) => r.test(message)),
          `${message} in ${file}`,
        ).toBe(true);
      }
    }
    // Every named ticket rejection is produced by some test.
    const tests = readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.test.ts'))
      .map(source)
      .join('\n');
    for (const reason of [...ticketRejectionReasons, 'winner_not_stored']) {
      expect(tests, reason).toContain(`'${reason}'`);
    }
  });

  it('TicketBroker: empty senders, null addresses, mismatched or starved batches', async () => {
    orchestrator = await registerOrchestrator();
    await next();
    const broker = as(STRANGER).ticketBroker;
    await expect(broker.write.unlock()).rejects.toThrow(/sender deposit and reserve are zero/);
    const fromNobody = await winningTicket(STRANGER, orchestrator);
    await expect(
      as(ORCH).ticketBroker.write.redeemWinningTicket([
        fromNobody.ticket,
        fromNobody.signature,
        fromNobody.recipientRand,
      ]),
    ).rejects.toThrow(/sender deposit and reserve are zero/);

    await confirm(await as(GATEWAY).ticketBroker.write.fundDeposit({ value: parseEther('1') }));
    const good = await winningTicket(GATEWAY, orchestrator);
    for (const [field, pattern] of [
      ['recipient', /ticket recipient is null address/],
      ['sender', /ticket sender is null address/],
    ] as const) {
      const ticket = { ...good.ticket, [field]: zeroAddress };
      await expect(
        as(ORCH).ticketBroker.write.redeemWinningTicket([
          ticket,
          await signTicket(acct(GATEWAY), ticket),
          good.recipientRand,
        ]),
      ).rejects.toThrow(pattern);
    }
    await expect(
      as(ORCH).ticketBroker.write.batchRedeemWinningTickets([
        [good.ticket],
        [],
        [good.recipientRand],
      ]),
    ).rejects.toThrow(/tickets, sigs and recipientRands must have the same length/);
    await expect(
      local.chain.publicClient.simulateContract({
        account: acct(ORCH),
        address: local.chain.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'batchRedeemWinningTickets',
        args: [[good.ticket], [good.signature], [good.recipientRand]],
        gas: 200_000n,
      }),
    ).rejects.toThrow(/insufficient gas to redeem every ticket/);
    expect(await broker.read.usedTickets([getTicketHash(good.ticket)])).toBe(false);
  });

  it('RoundsManager: a round initialised twice, block hashes out of range', async () => {
    await next();
    const rounds = as(DEPLOYER).roundsManager;
    await expect(rounds.write.initializeRound()).rejects.toThrow(/round already initialized/);
    const block = await local.chain.publicClient.getBlockNumber();
    await expect(rounds.read.blockHash([block + 1n])).rejects.toThrow(
      /can only retrieve past block hashes/,
    );
    await local.chain.testClient.mine({ blocks: 260 });
    await expect(rounds.read.blockHash([1n])).rejects.toThrow(
      /can only retrieve hashes for last 256 blocks/,
    );
    // Now no round is initialised: bonding and the other round-bound calls wait for it.
    expect(await rounds.read.currentRoundInitialized()).toBe(false);
    await mintAndApprove(DELEGATOR, parseEther('1'));
    await expect(
      as(DELEGATOR).bondingManager.write.bond([parseEther('1'), acct(DELEGATOR).address]),
    ).rejects.toThrow(/current round is not initialized/);
  });

  it('BondingManager: bad percentages, transcoder() before reward, unbonded callers, bad addresses', async () => {
    orchestrator = await registerOrchestrator();
    await next();
    const orch = as(ORCH).bondingManager;
    await expect(orch.write.transcoder([PPM + 1n, 0n])).rejects.toThrow(
      /invalid rewardCut percentage/,
    );
    await expect(orch.write.transcoder([0n, PPM + 1n])).rejects.toThrow(
      /invalid feeShare percentage/,
    );
    await expect(orch.write.transcoder([0n, 0n])).rejects.toThrow(
      /caller can't be active or must have already called reward for the current round/,
    );
    await confirm(await orch.write.reward());
    await confirm(await orch.write.transcoder([0n, 0n]));

    const stranger = as(STRANGER).bondingManager;
    await expect(stranger.write.unbond([1n])).rejects.toThrow(/caller must be bonded/);
    await expect(stranger.write.rebond([0n])).rejects.toThrow(/caller must be bonded/);
    const delegator = as(DELEGATOR).bondingManager;
    await expect(delegator.write.unbond([0n])).rejects.toThrow(
      /unbond amount must be greater than 0/,
    );
    await expect(delegator.write.rebondFromUnbonded([orchestrator, 0n])).rejects.toThrow(
      /caller must be unbonded/,
    );
    await expect(delegator.write.withdrawFees([zeroAddress, 0n])).rejects.toThrow(
      /invalid recipient/,
    );
    const round = await as(DELEGATOR).roundsManager.read.currentRound();
    await expect(delegator.write.claimEarnings([round + 1n])).rejects.toThrow(
      /end round must be before or equal to current round/,
    );
    await expect(delegator.write.bond([0n, zeroAddress])).rejects.toThrow(/invalid delegate/);

    const verifier = as(DEPLOYER).bondingManager;
    await expect(
      verifier.write.slashTranscoder([orchestrator, zeroAddress, PPM + 1n, 0n]),
    ).rejects.toThrow(/invalid slash amount/);
    await expect(
      verifier.write.slashTranscoder([orchestrator, zeroAddress, 0n, PPM + 1n]),
    ).rejects.toThrow(/invalid finder fee/);
  });

  it('LivepeerToken and Minter: bonding without allowance or balance, burning too much, ETH sent to the Minter', async () => {
    await next();
    const stranger = as(STRANGER);
    await expect(
      stranger.bondingManager.write.bond([parseEther('1'), acct(STRANGER).address]),
    ).rejects.toThrow(/insufficient allowance/);
    await confirm(
      await stranger.livepeerToken.write.approve([
        local.chain.addresses.bondingManager,
        parseEther('1'),
      ]),
    );
    await expect(
      stranger.bondingManager.write.bond([parseEther('1'), acct(STRANGER).address]),
    ).rejects.toThrow(/transfer amount exceeds balance/);
    await expect(stranger.livepeerToken.write.burn([1n])).rejects.toThrow(
      /burn amount exceeds balance/,
    );
    await expect(stranger.livepeerToken.write.mint([acct(STRANGER).address, 1n])).rejects.toThrow(
      /caller must be a minter/,
    );
    await expect(
      local.chain.walletClient(acct(STRANGER)).sendTransaction({
        to: local.chain.addresses.minter,
        value: 1n,
      }),
    ).rejects.toThrow(/use depositETH/);
  });
});

/** The regular-expression literals of a test file: what its `toThrow(/…/)` expect. */
function regexLiterals(source: string): RegExp[] {
  const literals: RegExp[] = [];
  for (const match of source.matchAll(/[(,[]\s*\/((?:[^/\\\n*]|\\.)(?:[^/\\\n]|\\.)*)\//g)) {
    try {
      literals.push(new RegExp(match[1] as string));
    } catch {
      // not a regex
    }
  }
  return literals;
}
