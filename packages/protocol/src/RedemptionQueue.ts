import { BaseError, createLogger, TypedEmitter } from '@peerframe/core';
import {
  type Account,
  type Address,
  type Chain,
  ContractFunctionRevertedError,
  type Hash,
  type Hex,
  type PublicClient,
  type Transport,
  BaseError as ViemBaseError,
  type WalletClient,
} from 'viem';
import { isTicketUsed } from './actions/isTicketUsed.ts';
import { redeemWinningTicket } from './actions/redeemWinningTicket.ts';
import { TransactionRevertedError } from './errors.ts';
import {
  type StoredWinningTicket,
  type WinningTicket,
  WinningTicketStore,
  WinningTicketStoreError,
} from './WinningTicketStore.ts';
import type { Wei } from './wei.ts';

export type RedemptionQueueOptions = {
  /** Wait (polling) while the chain's gas price is above this, wei. Default undefined: no ceiling. */
  maxGasPriceWei: Wei | undefined;
  /** How often the gas price is read while above the ceiling, ms. Default 5 000. */
  gasPricePollMs: number;
  /** Transient failures (RPC down, timeouts) before a ticket is marked failed. Default 10. */
  maxAttempts: number;
  /** First retry delay, doubled per attempt, ms. Default 500. */
  retryBaseDelayMs: number;
  /** Retry delay cap, ms. Default 30 000. */
  retryMaxDelayMs: number;
  /** How long to wait for a redemption's receipt before retrying, ms. Default 120 000. */
  receiptTimeoutMs: number;
};

export const defaultRedemptionQueueOptions: RedemptionQueueOptions = {
  maxGasPriceWei: undefined,
  gasPricePollMs: 5_000,
  maxAttempts: 10,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 30_000,
  receiptTimeoutMs: 120_000,
};

export type RedemptionQueueEvents = {
  /** Used on chain: by our transaction (`txHash`) or already by someone (`reason` 'already_used'). */
  redeemed: [StoredWinningTicket];
  /** Will not be redeemed; `reason` says why ('expired', 'reverted: …', 'max_attempts: …'). */
  failed: [StoredWinningTicket];
  /** A transient failure; the ticket is retried after `delayMs`. */
  retry: [{ ticketHash: Hex; attempt: number; delayMs: number; error: unknown }];
  /** Redemption waits: the gas price is above the ceiling. */
  'gas-price-high': [{ gasPriceWei: Wei; maxGasPriceWei: Wei }];
};

type RedeemWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/** The queue was used after `close()`. */
export class RedemptionQueueClosedError extends BaseError {
  override name = 'RedemptionQueueClosedError';
  constructor() {
    super('redemption_queue_closed', 'The redemption queue is closed');
  }
}

class TransientRedemptionError extends BaseError {
  override name = 'TransientRedemptionError';
  constructor(details: string, cause?: unknown) {
    super('redemption_transient', 'Redemption failed, will retry', {
      details,
      cause,
      retryable: true,
    });
  }
}

/**
 * Reverts that say the chain cannot take any redemption now (a round nobody initialised yet, a
 * paused Controller): the ticket waits, its attempts untouched.
 */
const waitingReverts = new Set(['current round is not initialized', 'system is paused']);
const chainNotReadyRetryMs = 2_000;

class ChainNotReadyError extends BaseError {
  override name = 'ChainNotReadyError';
  constructor(reason: string) {
    super('redemption_waiting', 'The chain cannot take redemptions now', {
      details: reason,
      retryable: true,
    });
  }
}

/**
 * Redeems winning tickets on chain, durably. `accept` writes the winner to the
 * `WinningTicketStore` (fsynced) before it resolves, so a payment acknowledged after it survives a
 * crash; `start` redeems whatever is unfinished, including what a previous process left. Tickets
 * go one at a time (never the same ticket twice at once); before each transaction the queue
 * checks `usedTickets` and simulates the call, so a ticket used on chain is not sent again. A
 * ticket whose transaction was sent but not confirmed before a crash is checked by its receipt
 * first. Transient errors are retried with exponential backoff; while the gas price is above
 * `maxGasPriceWei` the queue waits.
 */
export class RedemptionQueue extends TypedEmitter<RedemptionQueueEvents> {
  readonly store: WinningTicketStore;
  readonly ticketBroker: Address;
  readonly #publicClient: PublicClient;
  readonly #walletClient: RedeemWalletClient;
  readonly #ownsStore: boolean;
  readonly #log = createLogger('protocol:redemption');
  #options: RedemptionQueueOptions;
  readonly #inFlight = new Set<string>();
  #started = false;
  #closed = false;
  readonly #closing = new AbortController();
  #closePromise: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #idleWaiters: (() => void)[] = [];
  #busy = false;

  private constructor(input: {
    store: WinningTicketStore;
    ownsStore: boolean;
    publicClient: PublicClient;
    walletClient: RedeemWalletClient;
    ticketBroker: Address;
    options: RedemptionQueueOptions;
  }) {
    super();
    this.store = input.store;
    this.#ownsStore = input.ownsStore;
    this.#publicClient = input.publicClient;
    this.#walletClient = input.walletClient;
    this.ticketBroker = input.ticketBroker;
    this.#options = input.options;
  }

  /**
   * Opens the store at `databasePath` (owned: closed by `close()`) or uses `store` (not owned).
   * Redemption begins with `start()`.
   */
  static async create(input: {
    databasePath?: string | undefined;
    store?: WinningTicketStore | undefined;
    publicClient: PublicClient;
    /** Signs and pays for the redemption transactions (anyone may redeem; the recipient is paid). */
    walletClient: RedeemWalletClient;
    ticketBroker: Address;
    options?: Partial<RedemptionQueueOptions> | undefined;
  }): Promise<RedemptionQueue> {
    const store =
      input.store ?? WinningTicketStore.open({ path: input.databasePath ?? throwNoStore() });
    return new RedemptionQueue({
      store,
      ownsStore: input.store === undefined,
      publicClient: input.publicClient,
      walletClient: input.walletClient,
      ticketBroker: input.ticketBroker,
      options: { ...defaultRedemptionQueueOptions, ...input.options },
    });
  }

  get options(): Readonly<RedemptionQueueOptions> {
    return this.#options;
  }

  /** Changes options live (e.g. the gas-price ceiling); takes effect at the next check. */
  update(options: Partial<RedemptionQueueOptions>): void {
    this.#options = { ...this.#options, ...options };
    this.#wake?.();
  }

  /**
   * Stores a winner durably (returns once it is on disk) and queues it. The same ticket accepted
   * twice is stored once (`added` false).
   */
  async accept(winner: WinningTicket): Promise<{ ticketHash: Hex; added: boolean }> {
    if (this.#closed) throw new RedemptionQueueClosedError();
    const result = this.store.add(winner);
    if (result.added) this.#wake?.();
    return result;
  }

  /** Begins redeeming: first whatever is unfinished in the store, then what `accept` adds. */
  start(): void {
    if (this.#closed) throw new RedemptionQueueClosedError();
    if (this.#started) return;
    this.#started = true;
    this.#loop = this.#run().catch((error: unknown) => {
      this.#log.error({ err: error }, 'redemption loop stopped');
    });
  }

  /** Resolves once no ticket is pending or being redeemed (or the queue closed). */
  whenIdle(): Promise<void> {
    if (this.#closed || (!this.#busy && this.#started && this.#nextTicket() === undefined)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops redeeming (waits for the ticket in flight) and closes an owned store. Idempotent. */
  close(): Promise<void> {
    this.#closePromise ??= (async () => {
      this.#closed = true;
      this.#closing.abort();
      this.#wake?.();
      await this.#loop;
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
      if (this.#ownsStore) this.store.close();
    })();
    return this.#closePromise;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #nextTicket(): StoredWinningTicket | undefined {
    return this.store.unfinished().find((t) => !this.#inFlight.has(t.ticketHash));
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const next = this.#nextTicket();
      if (!next) {
        this.#busy = false;
        for (const resolve of this.#idleWaiters.splice(0)) resolve();
        await this.#sleep(undefined);
        continue;
      }
      this.#busy = true;
      this.#inFlight.add(next.ticketHash);
      try {
        await this.#redeemWithRetries(next);
      } finally {
        this.#inFlight.delete(next.ticketHash);
      }
    }
    this.#busy = false;
  }

  async #redeemWithRetries(stored: StoredWinningTicket): Promise<void> {
    let ticket = stored;
    for (;;) {
      if (this.#closed) return;
      try {
        await this.#redeem(ticket);
        return;
      } catch (error) {
        if (this.#closed) return;
        if (error instanceof ChainNotReadyError) {
          // Not an attempt: the ticket is fine, the chain is not ready (round, pause).
          this.store.markPending(ticket.ticketHash, `waiting: ${error.details}`, Date.now(), 0);
          this.#log.info(
            { ticketHash: ticket.ticketHash, reason: error.details },
            'waiting for the chain',
          );
          await this.#sleep(chainNotReadyRetryMs, false);
          const reloaded = this.store.get(ticket.ticketHash);
          if (!reloaded || (reloaded.status !== 'pending' && reloaded.status !== 'submitted'))
            return;
          ticket = reloaded;
          continue;
        }
        const attempt = ticket.attempts + 1;
        const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
        if (attempt >= this.#options.maxAttempts) {
          this.store.markFailed(ticket.ticketHash, `max_attempts: ${message}`);
          this.#emitFinal(ticket.ticketHash);
          return;
        }
        this.store.markPending(ticket.ticketHash, `retry: ${message}`, Date.now(), 1);
        const delayMs = Math.min(
          this.#options.retryMaxDelayMs,
          this.#options.retryBaseDelayMs * 2 ** (attempt - 1),
        );
        this.#log.warn({ err: error, ticketHash: ticket.ticketHash, attempt, delayMs }, 'retry');
        this.emit('retry', { ticketHash: ticket.ticketHash, attempt, delayMs, error });
        await this.#sleep(delayMs, false);
        const reloaded = this.store.get(ticket.ticketHash);
        if (!reloaded || (reloaded.status !== 'pending' && reloaded.status !== 'submitted')) return;
        ticket = reloaded;
      }
    }
  }

  /** One attempt; throws `TransientRedemptionError` (or an RPC error) to be retried. */
  async #redeem(ticket: StoredWinningTicket): Promise<void> {
    const hash = ticket.ticketHash;

    // A transaction sent before a crash or timeout: its receipt settles it.
    if (ticket.status === 'submitted' && ticket.txHash) {
      const receipt = await this.#publicClient
        .getTransactionReceipt({ hash: ticket.txHash })
        .catch(() => undefined);
      if (receipt?.status === 'success') return this.#finish(hash, 'redeemed', ticket.txHash);
    }

    if (!(await this.#waitForGasPrice())) return;

    if (await this.#isUsed(hash)) {
      return this.#finish(hash, 'redeemed', undefined, 'already_used');
    }

    let submitted: Hash | undefined;
    try {
      await redeemWinningTicket(this.#walletClient, {
        addresses: { ticketBroker: this.ticketBroker },
        ticket: ticket.ticket,
        signature: ticket.signature,
        recipientRand: ticket.recipientRand,
        // Closing between the simulation and the transaction sends nothing.
        signal: this.#closing.signal,
        receiptTimeoutMs: this.#options.receiptTimeoutMs,
        onSubmitted: (txHash) => {
          submitted = txHash;
          this.store.markSubmitted(hash, txHash);
        },
      });
    } catch (error) {
      if (submitted === undefined) {
        const reason = revertReason(error);
        if (reason === undefined) throw error;
        return this.#finishRevert(hash, reason);
      }
      if (!(error instanceof TransactionRevertedError)) {
        throw new TransientRedemptionError(`no receipt for ${submitted}`, error);
      }
      // Reverted after a successful simulation: someone used it first, or the round moved on
      // (the next try simulates again and names the reason).
      if (await this.#isUsed(hash)) {
        return this.#finish(hash, 'redeemed', undefined, 'already_used');
      }
      throw new TransientRedemptionError(
        `transaction ${submitted} reverted after a successful simulation`,
      );
    }
    return this.#finish(hash, 'redeemed', submitted);
  }

  #finishRevert(hash: Hex, reason: string): void {
    // The chain is not ready for any redemption now, not this ticket's fault: wait, then retry.
    if (waitingReverts.has(reason)) throw new ChainNotReadyError(reason);
    if (reason === 'ticket is used') this.#finish(hash, 'redeemed', undefined, 'already_used');
    else if (reason === 'ticket is expired') this.#finish(hash, 'failed', undefined, 'expired');
    else this.#finish(hash, 'failed', undefined, `reverted: ${reason}`);
  }

  #finish(
    hash: Hex,
    status: 'redeemed' | 'failed',
    txHash: Hash | undefined,
    reason?: string,
  ): void {
    if (status === 'redeemed') this.store.markRedeemed(hash, txHash, reason);
    else this.store.markFailed(hash, reason ?? 'failed');
    this.#emitFinal(hash);
  }

  #emitFinal(hash: Hex): void {
    const stored = this.store.get(hash);
    if (!stored) return;
    if (stored.status === 'redeemed') {
      this.#log.info(
        { ticketHash: hash, txHash: stored.txHash, reason: stored.reason },
        'redeemed',
      );
      this.emit('redeemed', stored);
    } else {
      this.#log.warn({ ticketHash: hash, reason: stored.reason }, 'redemption failed');
      this.emit('failed', stored);
    }
  }

  async #isUsed(hash: Hex): Promise<boolean> {
    return isTicketUsed(this.#publicClient, {
      addresses: { ticketBroker: this.ticketBroker },
      ticketHash: hash,
    });
  }

  /** False when the queue closed while waiting. */
  async #waitForGasPrice(): Promise<boolean> {
    for (;;) {
      if (this.#closed) return false;
      const max = this.#options.maxGasPriceWei;
      if (max === undefined) return true;
      const gasPriceWei = await this.#publicClient.getGasPrice();
      if (gasPriceWei <= max) return true;
      this.emit('gas-price-high', { gasPriceWei, maxGasPriceWei: max });
      await this.#sleep(this.#options.gasPricePollMs);
    }
  }

  /** Sleeps `ms` (forever when undefined) or until woken by close (and, if `wakeable`, accept/update). */
  #sleep(ms: number | undefined, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.#wake = wakeable ? done : () => (this.#closed ? done() : undefined);
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      if (this.#closed) done();
    });
  }
}

function throwNoStore(): never {
  throw new WinningTicketStoreError('RedemptionQueue.create needs databasePath or store');
}

/** The revert reason of a contract call that reverted; undefined for any other error. */
function revertReason(error: unknown): string | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  return reverted.reason ?? reverted.shortMessage;
}
