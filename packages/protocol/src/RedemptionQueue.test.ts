import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, parseEther } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceRound } from './actions/advanceRound.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { getProtocolContracts } from './getProtocolContracts.ts';
import { bondingManagerAbi, controllerAbi, ticketBrokerAbi } from './protocolAbis.ts';
import { RedemptionQueue, type RedemptionQueueOptions } from './RedemptionQueue.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';
import { TicketSender } from './TicketSender.ts';
import { getTicketHash } from './ticket.ts';
import { createTicketParams } from './ticketParams.ts';
import { SenderNonceTracker, validateTicket } from './validateTicket.ts';
import { type WinningTicket, WinningTicketStore } from './WinningTicketStore.ts';

let chain: LocalProtocol;
let orchestrator: Address;
const secret = generatePrivateKey();
const orchestratorIndex = 2;

const acct = (i: number) => {
  const account = chain.accounts[i];
  if (!account) throw new Error(`no account ${i}`);
  return account;
};
const contracts = () =>
  getProtocolContracts(chain.addresses, {
    public: chain.publicClient,
    wallet: chain.walletClient(acct(1)),
  });
const pendingFees = () =>
  chain.publicClient.readContract({
    address: chain.addresses.bondingManager,
    abi: bondingManagerAbi,
    functionName: 'pendingFees',
    args: [orchestrator, 0n],
  });
const isUsed = (winner: WinningTicket) =>
  chain.publicClient.readContract({
    address: chain.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'usedTickets',
    args: [getTicketHash(winner.ticket)],
  });

/** `count` winning tickets (winProb = max) from the gateway to the orchestrator, validated. */
async function makeWinners(count: number): Promise<WinningTicket[]> {
  const round = await contracts().roundsManager.read.currentRound();
  const blockHash = await contracts().roundsManager.read.blockHashForRound([round]);
  const block = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const faceValue = parseEther('0.0005');
  const params = createTicketParams({
    recipient: orchestrator,
    sender: acct(1).address,
    secret,
    gasPriceWei: 1_000_000_000n,
    currentBlock: block,
    expirationParams: { creationRound: round, creationRoundBlockHash: blockHash },
    // faceValue = 500 000 gas × 1 gwei × 1 = the EV: every ticket wins.
    options: {
      expectedValueWei: faceValue,
      redeemGas: 500_000n,
      faceValueMultiplier: 1n,
      minFaceValueWei: undefined,
    },
  });
  const batch = await new TicketSender({ account: acct(1) }).createTicketBatch({
    params,
    amountWei: BigInt(count) * (params.faceValue - 1n),
  });
  const nonces = new SenderNonceTracker();
  const winners: WinningTicket[] = [];
  for (const signed of batch.tickets) {
    const result = await validateTicket(signed, {
      recipient: orchestrator,
      secret,
      currentRound: round,
      currentBlock: block,
      roundBlockHash: (r) => (r === round ? blockHash : undefined),
      nonces,
    });
    if (!result.ok || !result.isWinner) throw new Error('expected a winner');
    winners.push({
      ticket: signed.ticket,
      signature: signed.signature,
      recipientRand: result.recipientRand,
    });
  }
  expect(winners).toHaveLength(count);
  return winners;
}

async function createQueue(
  databasePath: string,
  options: Partial<RedemptionQueueOptions> = {},
): Promise<RedemptionQueue> {
  const queue = await RedemptionQueue.create({
    databasePath,
    publicClient: chain.publicClient,
    walletClient: chain.walletClient(acct(orchestratorIndex)),
    ticketBroker: chain.addresses.ticketBroker,
    options: { retryBaseDelayMs: 10, gasPricePollMs: 20, ...options },
  });
  local.closeAfterTest(() => queue.close());
  return queue;
}

const orchestratorTxCount = () =>
  chain.publicClient.getTransactionCount({ address: acct(orchestratorIndex).address });

const local = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: { roundLengthBlocks: 20n, ticketValidityPeriodRounds: 2n },
    async setup(started) {
      chain = started;
      orchestrator = await setupOrchestrator(chain.walletClient(acct(orchestratorIndex)), {
        ...chain,
        owner: chain.walletClient(acct(0)),
        stakeWei: parseEther('1000'),
        feeSharePpm: 0n,
      });
      await advanceRound(chain.walletClient(acct(0)), chain);
      await chain.publicClient.waitForTransactionReceipt({
        hash: await contracts().ticketBroker.write.fundDepositAndReserve(
          [parseEther('1'), parseEther('1')],
          { value: parseEther('2') },
        ),
      });
    },
  },
);

let dbCount = 0;
const newDbPath = () => join(local.tmp, `winners-${++dbCount}.sqlite`);

describe('WinningTicketStore', () => {
  it('stores a winner durably once, with bigints as decimal text', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    const path = newDbPath();
    const store = WinningTicketStore.open({ path });
    expect(store.durability()).toEqual({ journalMode: 'wal', synchronous: 2 });
    expect(store.add(winner).added).toBe(true);
    expect(store.add(winner).added).toBe(false);
    store.close();
    store.close();
    const reopened = WinningTicketStore.open({ path });
    const [stored] = reopened.unfinished();
    expect(stored?.ticket).toEqual(winner.ticket);
    expect(stored?.recipientRand).toBe(winner.recipientRand);
    expect(stored?.status).toBe('pending');
    expect(reopened.counts()).toEqual({ pending: 1, submitted: 0, redeemed: 0, failed: 0 });
    expect(reopened.pendingFaceValue(winner.ticket.sender)).toBe(winner.ticket.faceValue);
    reopened.close();
  });
});

describe('RedemptionQueue on anvil', () => {
  it('redeems winners and the recipient is credited the face values, once', async () => {
    const winners = await makeWinners(3);
    const queue = await createQueue(newDbPath());
    const feesBefore = await pendingFees();
    for (const w of winners) expect((await queue.accept(w)).added).toBe(true);
    // The same ticket accepted again is stored once.
    expect((await queue.accept(winners[0] as WinningTicket)).added).toBe(false);
    const redeemed: Hex[] = [];
    queue.on('redeemed', (t) => redeemed.push(t.ticketHash));
    queue.start();
    await queue.whenIdle();
    const faceValue = winners[0]?.ticket.faceValue ?? 0n;
    expect(await pendingFees()).toBe(feesBefore + 3n * faceValue);
    expect(redeemed).toHaveLength(3);
    for (const w of winners) expect(await isUsed(w)).toBe(true);
    const stored = queue.store.list('redeemed');
    expect(stored).toHaveLength(3);
    for (const t of stored) expect(t.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    // Accepted again after redemption: nothing new stored, nothing sent.
    const txCount = await orchestratorTxCount();
    expect((await queue.accept(winners[1] as WinningTicket)).added).toBe(false);
    await queue.whenIdle();
    expect(await orchestratorTxCount()).toBe(txCount);
  });

  it('marks a ticket already used on chain as redeemed without sending it', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    await chain.publicClient.waitForTransactionReceipt({
      hash: await contracts().ticketBroker.write.redeemWinningTicket([
        winner.ticket,
        winner.signature,
        winner.recipientRand,
      ]),
    });
    const queue = await createQueue(newDbPath());
    const txCount = await orchestratorTxCount();
    const { ticketHash } = await queue.accept(winner);
    queue.start();
    await queue.whenIdle();
    expect(queue.store.get(ticketHash)).toMatchObject({
      status: 'redeemed',
      reason: 'already_used',
      txHash: undefined,
    });
    expect(await orchestratorTxCount()).toBe(txCount);
  });

  it('settles a ticket whose transaction was sent before a crash by its receipt, sending nothing', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    const databasePath = newDbPath();
    // The state a process leaves when killed after sending but before seeing the receipt.
    const store = WinningTicketStore.open({ path: databasePath });
    const { ticketHash } = store.add(winner);
    const txHash = await contracts().ticketBroker.write.redeemWinningTicket([
      winner.ticket,
      winner.signature,
      winner.recipientRand,
    ]);
    store.markSubmitted(ticketHash, txHash);
    store.close();
    await chain.publicClient.waitForTransactionReceipt({ hash: txHash });

    const txCount = await orchestratorTxCount();
    const queue = await createQueue(databasePath);
    queue.start();
    await queue.whenIdle();
    expect(queue.store.get(ticketHash)).toMatchObject({
      status: 'redeemed',
      txHash,
      reason: undefined,
    });
    expect(await orchestratorTxCount()).toBe(txCount);
  });

  it('fails an expired ticket with reason "expired"', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    await advanceRound(chain.walletClient(acct(0)), { ...chain, rounds: 2n });
    const queue = await createQueue(newDbPath());
    const failed: string[] = [];
    queue.on('failed', (t) => failed.push(t.reason ?? ''));
    const { ticketHash } = await queue.accept(winner);
    queue.start();
    await queue.whenIdle();
    expect(failed).toEqual(['expired']);
    expect(queue.store.get(ticketHash)?.status).toBe('failed');
    expect(await isUsed(winner)).toBe(false);
  });

  it('waits while the gas price is above the ceiling', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    const queue = await createQueue(newDbPath(), { maxGasPriceWei: 1n });
    let highReadings = 0;
    const high = new Promise<void>((resolve) =>
      queue.on('gas-price-high', () => {
        if (++highReadings === 3) resolve();
      }),
    );
    const { ticketHash } = await queue.accept(winner);
    queue.start();
    await high;
    expect(queue.store.get(ticketHash)?.status).toBe('pending');
    expect(await isUsed(winner)).toBe(false);
    queue.update({ maxGasPriceWei: 10n ** 12n });
    await queue.whenIdle();
    expect(queue.store.get(ticketHash)?.status).toBe('redeemed');
    expect(await isUsed(winner)).toBe(true);
  });

  it('keeps a winner waiting, attempts untouched, while the chain refuses every redemption (paused)', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    const owner = chain.walletClient();
    const setPaused = async (paused: boolean) =>
      chain.publicClient.waitForTransactionReceipt({
        hash: await owner.writeContract({
          address: chain.addresses.controller,
          abi: controllerAbi,
          functionName: paused ? 'pause' : 'unpause',
        }),
      });
    await setPaused(true);
    const queue = await createQueue(newDbPath(), { maxAttempts: 2 });
    const { ticketHash } = await queue.accept(winner);
    queue.start();
    // Longer than two retries would take: a paused chain is no attempt.
    await expect
      .poll(() => queue.store.get(ticketHash)?.reason ?? '', { timeout: 10_000 })
      .toMatch(/waiting: system is paused/);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(queue.store.get(ticketHash)).toMatchObject({ status: 'pending', attempts: 0 });
    await setPaused(false);
    await expect
      .poll(() => queue.store.get(ticketHash)?.status, { timeout: 10_000 })
      .toBe('redeemed');
    expect(await isUsed(winner)).toBe(true);
  });

  it('retries transient RPC errors with backoff, then gives up with a reason', async () => {
    const [winner] = await makeWinners(1);
    if (!winner) throw new Error('no winner');
    const { createPublicClient, http } = await import('viem');
    const queue = await RedemptionQueue.create({
      databasePath: newDbPath(),
      // Nothing listens on port 9: every call fails.
      publicClient: createPublicClient({
        transport: http('http://127.0.0.1:9', { retryCount: 0 }),
      }),
      walletClient: chain.walletClient(acct(orchestratorIndex)),
      ticketBroker: chain.addresses.ticketBroker,
      options: { maxAttempts: 3, retryBaseDelayMs: 5 },
    });
    local.closeAfterTest(() => queue.close());
    const delays: number[] = [];
    queue.on('retry', (r) => delays.push(r.delayMs));
    const { ticketHash } = await queue.accept(winner);
    queue.start();
    await queue.whenIdle();
    expect(delays).toEqual([5, 10]);
    const stored = queue.store.get(ticketHash);
    expect(stored?.status).toBe('failed');
    expect(stored?.reason).toMatch(/^max_attempts: /);
  });

  it('redeems, exactly once, the winners a killed process had accepted', async () => {
    const winners = await makeWinners(3);
    const databasePath = newDbPath();
    const feesBefore = await pendingFees();
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        fileURLToPath(new URL('./fixtures/redemptionCrashChild.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          PEERFRAME_LOG_LEVEL: 'silent',
          PEERFRAME_CRASH_INPUT: JSON.stringify(
            {
              rpcUrl: chain.rpcUrl,
              chainId: chain.chain.id,
              databasePath,
              ticketBroker: chain.addresses.ticketBroker,
              accountIndex: orchestratorIndex,
              winners,
            },
            (_, value) => (typeof value === 'bigint' ? value.toString() : value),
          ),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child not ready: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('ready\n')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited: ${stderr}`)));
    });
    // Acknowledged (printed after accept resolved), then killed before redeeming.
    expect(stdout.match(/^accepted 0x/gm)).toHaveLength(3);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    for (const w of winners) expect(await isUsed(w)).toBe(false);
    expect(await pendingFees()).toBe(feesBefore);

    const txCountBefore = await orchestratorTxCount();
    const queue = await createQueue(databasePath);
    expect(queue.store.counts().pending).toBe(3);
    queue.start();
    await queue.whenIdle();
    const faceValue = winners[0]?.ticket.faceValue ?? 0n;
    expect(await pendingFees()).toBe(feesBefore + 3n * faceValue);
    for (const w of winners) expect(await isUsed(w)).toBe(true);
    expect(queue.store.counts()).toMatchObject({ pending: 0, submitted: 0, redeemed: 3 });
    expect(await orchestratorTxCount()).toBe(txCountBefore + 3);
    await queue.close();

    // Another restart sends nothing: every ticket is settled.
    const again = await createQueue(databasePath);
    again.start();
    for (const w of winners) expect((await again.accept(w)).added).toBe(false);
    await again.whenIdle();
    expect(await orchestratorTxCount()).toBe(txCountBefore + 3);
    expect(await pendingFees()).toBe(feesBefore + 3n * faceValue);
  });
});
