import { join } from 'node:path';
import { type Address, parseEther, zeroHash } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceRound } from './actions/advanceRound.ts';
import { getRoundInfo } from './actions/getRoundInfo.ts';
import { initializeRound } from './actions/initializeRound.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { paramsWithWinFraction, useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { getProtocolContracts } from './getProtocolContracts.ts';
import { bondingManagerAbi } from './protocolAbis.ts';
import { RedemptionQueue } from './RedemptionQueue.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';
import { TicketRecipient } from './TicketRecipient.ts';
import { TicketSender } from './TicketSender.ts';
import { signTicket } from './ticket.ts';
import { WinningTicketStore } from './WinningTicketStore.ts';

let chain: LocalProtocol;
let orchestrator: Address;

const acct = (i: number) => {
  const account = chain.accounts[i];
  if (!account) throw new Error(`no account ${i}`);
  return account;
};
const pendingFees = () =>
  chain.publicClient.readContract({
    address: chain.addresses.bondingManager,
    abi: bondingManagerAbi,
    functionName: 'pendingFees',
    args: [orchestrator, 0n],
  });

async function fund(accountIndex: number, depositWei: bigint, reserveWei: bigint) {
  const gateway = getProtocolContracts(chain.addresses, {
    public: chain.publicClient,
    wallet: chain.walletClient(acct(accountIndex)),
  });
  const hash = await gateway.ticketBroker.write.fundDepositAndReserve([depositWei, reserveWei], {
    value: depositWei + reserveWei,
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
}

let dbCount = 0;
async function createRecipient(address: Address = orchestrator) {
  const databasePath = join(local.tmp, `recipient-${++dbCount}.sqlite`);
  const queue = await RedemptionQueue.create({
    databasePath,
    publicClient: chain.publicClient,
    walletClient: chain.walletClient(acct(2)),
    ticketBroker: chain.addresses.ticketBroker,
    options: { retryBaseDelayMs: 10 },
  });
  local.closeAfterTest(() => queue.close());
  const recipient = await TicketRecipient.create({
    address,
    secret: generatePrivateKey(),
    publicClient: chain.publicClient,
    addresses: chain.addresses,
    redemptionQueue: queue,
  });
  return { queue, recipient, databasePath };
}

const local = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: { roundLengthBlocks: 100n, ticketValidityPeriodRounds: 2n },
    async setup(started) {
      chain = started;
      orchestrator = await setupOrchestrator(chain.walletClient(acct(2)), {
        ...chain,
        owner: chain.walletClient(acct(0)),
        stakeWei: parseEther('1000'),
        feeSharePpm: 0n,
      });
      await advanceRound(chain.walletClient(acct(0)), chain);
      await fund(1, parseEther('10'), parseEther('1'));
    },
  },
);

describe('TicketRecipient on anvil', () => {
  it('credits the expected value of valid tickets, stores winners before returning, redeems them', async () => {
    const { queue, recipient, databasePath } = await createRecipient();
    const sender = new TicketSender({ account: acct(1) });
    const params = await paramsWithWinFraction(recipient, sender.address, 2n);
    const batch = await sender.createTicketBatch({
      params,
      amountWei: 24n * (params.faceValue / 2n),
    });
    expect(batch.tickets).toHaveLength(24);

    const received = await recipient.receiveTickets('session-1', batch.tickets);
    expect(received.results.every((r) => r.ok)).toBe(true);
    expect(received.creditedWei).toBe(batch.expectedValueWei);
    expect(received.balanceWei).toBe(batch.expectedValueWei);
    const winners = received.results.filter((r) => r.ok && r.isWinner).length;
    expect(received.winners).toBe(winners);
    expect(winners).toBeGreaterThan(0); // P(no winner in 24 at 1/2) = 6e-8

    // On disk before receiveTickets returned: another connection sees every winner.
    const reader = WinningTicketStore.open({ path: databasePath });
    expect(reader.counts().pending).toBe(winners);
    reader.close();

    const feesBefore = await pendingFees();
    queue.start();
    await queue.whenIdle();
    expect(await pendingFees()).toBe(feesBefore + BigInt(winners) * params.faceValue);
    expect(queue.store.counts().redeemed).toBe(winners);

    // Charged per second of use at a price.
    const priceWeiPerSecond = batch.expectedValueWei / 20n;
    expect(recipient.charge('session-1', priceWeiPerSecond * 10n)).toBe(
      batch.expectedValueWei - priceWeiPerSecond * 10n,
    );
    expect(recipient.balance('session-1')).toBe(batch.expectedValueWei - priceWeiPerSecond * 10n);
    expect(recipient.balance('other')).toBe(0n);
    expect(() => recipient.charge('session-1', -1n)).toThrow(/amountWei/);
    expect(() => recipient.charge('', 1n)).toThrow(/sessionId/);
    expect(recipient.closeSession('session-1')).toBe(
      batch.expectedValueWei - priceWeiPerSecond * 10n,
    );
  });

  it('rejects bad tickets with named reasons and credits none of them', async () => {
    const { recipient } = await createRecipient();
    const sender = new TicketSender({ account: acct(1) });
    const params = await recipient.ticketParams(sender.address);
    const batch = await sender.createTicketBatch({ params, amountWei: 3n * 10n ** 12n });
    const [good, second, third] = batch.tickets;
    if (!good || !second || !third) throw new Error('expected 3 tickets');
    const first = await recipient.receiveTickets('s', [good]);
    expect(first.results[0]?.ok).toBe(true);
    const balance = recipient.balance('s');

    const forged = { ...second, signature: await signTicket(acct(5), second.ticket) };
    const tampered = {
      ...third,
      ticket: { ...third.ticket, faceValue: third.ticket.faceValue * 2n },
    };
    const { recipient: other } = await createRecipient(acct(3).address);
    const otherBatch = await sender.createTicketBatch({
      params: await other.ticketParams(sender.address),
      amountWei: 1n,
    });
    const result = await recipient.receiveTickets('s', [
      good, // again
      forged,
      tampered,
      ...otherBatch.tickets,
      { ...third, ticket: { ...third.ticket, auxData: '0x1234' } },
    ]);
    expect(result.results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'nonce_replay',
      'invalid_signature',
      'invalid_ticket_params',
      'wrong_recipient',
      'invalid_aux_data',
    ]);
    expect(result.creditedWei).toBe(0n);
    expect(recipient.balance('s')).toBe(balance);

    // The untouched third ticket is still good; after the validity period it is not.
    await advanceRound(chain.walletClient(acct(0)), { ...chain, rounds: 2n });
    const late = await recipient.receiveTickets('s', [third]);
    expect(late.results[0]).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('names the last initialised round while nobody initialised the current one; its winners redeem once someone does', async () => {
    const { queue, recipient } = await createRecipient();
    const sender = new TicketSender({ account: acct(1) });
    // Into the next round without initialising it (no node called initializeRound yet).
    const {
      round: initialised,
      startBlock,
      lengthBlocks,
    } = await getRoundInfo(chain.publicClient, chain);
    const block = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await chain.testClient.mine({ blocks: Number(startBlock + lengthBlocks - block) });
    const current = await getRoundInfo(chain.publicClient, chain);
    expect(current).toMatchObject({ round: initialised + 1n, initialized: false });

    const params = await paramsWithWinFraction(recipient, sender.address, 2n);
    expect(params.expirationParams.creationRound).toBe(initialised);
    expect(params.expirationParams.creationRoundBlockHash).not.toBe(zeroHash);
    const batch = await sender.createTicketBatch({
      params,
      amountWei: 16n * (params.faceValue / 2n),
    });
    const received = await recipient.receiveTickets('uninitialised', batch.tickets);
    expect(received.results.every((r) => r.ok)).toBe(true);
    expect(received.winners).toBeGreaterThan(0); // P(no winner in 16 at 1/2) = 1.5e-5

    // The chain takes no redemption until the round is initialised; then every winner redeems.
    const feesBefore = await pendingFees();
    queue.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queue.store.counts().redeemed).toBe(0);
    await initializeRound(chain.walletClient(acct(0)), chain);
    await queue.whenIdle();
    expect(queue.store.counts()).toMatchObject({ redeemed: received.winners, failed: 0 });
    expect(await pendingFees()).toBe(feesBefore + BigInt(received.winners) * params.faceValue);
  });

  it("refuses tickets the sender's deposit cannot pay, counting winners not yet redeemed", async () => {
    const { queue, recipient } = await createRecipient();
    // A second gateway whose deposit pays exactly one winner: the face value issued is capped
    // at what the sender can pay (here below the gas-priced face value).
    const depositWei = parseEther('0.001');
    expect((await recipient.ticketParams(acct(1).address)).faceValue).toBeGreaterThan(depositWei);
    await fund(4, depositWei, 0n);
    const sender = new TicketSender({ account: acct(4) });
    const params = await paramsWithWinFraction(recipient, sender.address, 1n);
    const faceValue = params.faceValue;
    expect(faceValue).toBe(depositWei);
    const batch = await sender.createTicketBatch({ params, amountWei: 2n * (faceValue - 1n) });
    expect(batch.tickets).toHaveLength(2);
    const result = await recipient.receiveTickets('s', batch.tickets);
    expect(result.results[0]).toMatchObject({ ok: true, isWinner: true });
    expect(result.results[1]).toMatchObject({ ok: false, reason: 'insufficient_funds' });
    expect(queue.store.pendingFaceValue(sender.address)).toBe(faceValue);
  });
});
