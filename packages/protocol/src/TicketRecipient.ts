import { randomBytes } from 'node:crypto';
import { BaseError, createLogger } from '@peerframe/core';
import { type Address, bytesToHex, concat, getAddress, type Hex, type PublicClient } from 'viem';
import { getBlockHashForRound } from './actions/getBlockHashForRound.ts';
import { getClaimableReserve } from './actions/getClaimableReserve.ts';
import { getCurrentRound, getLastInitializedRound } from './actions/getCurrentRound.ts';
import { getSenderInfo } from './actions/getSenderInfo.ts';
import { getTicketValidityPeriod } from './actions/getTicketValidityPeriod.ts';
import { LruMap } from './LruMap.ts';
import { readExpiryBlock } from './l1BlockNumber.ts';
import type { ProtocolAddresses } from './protocolAddresses.ts';
import type { RedemptionQueue } from './RedemptionQueue.ts';
import {
  createTicketParams,
  defaultTicketParamsOptions,
  type RecipientSecret,
  type TicketParams,
  type TicketParamsOptions,
} from './ticketParams.ts';
import {
  admitTicket,
  type SenderFunds,
  SenderNonceTracker,
  type SignedTicket,
  type TicketRejection,
  type TicketRejectionReason,
  type VerifiedTicket,
  verifyTicket,
} from './validateTicket.ts';
import type { Wei } from './wei.ts';

export type TicketRecipientOptions = {
  /** Expected value, redeem gas, face-value multiplier and validity of the params issued. */
  ticketParams: TicketParamsOptions;
  /** Check each sender's deposit and reserve allocation on chain per batch. Default true. */
  checkSenderFunds: boolean;
  /**
   * While the chain cannot be read, tickets are still validated against the round, block and
   * sender funds last read, for at most this long, ms (default 300 000). Winners are stored as
   * always and redeemed once the chain is back; past this age, payments are refused.
   */
  maxChainStalenessMs: number;
};

/** A chain read slower than this, with a value already in hand, counts the chain as down, ms. */
const chainReadDeadlineMs = 500;

/**
 * Chain values kept for when the chain is down (round, block, gas price, round block hashes,
 * senders' funds): the least recently used go past this many, so `/info?sender=` with made-up
 * senders cannot grow them.
 */
const maxChainValuesKept = 1_024;

export const defaultTicketRecipientOptions: TicketRecipientOptions = {
  ticketParams: defaultTicketParamsOptions,
  checkSenderFunds: true,
  maxChainStalenessMs: 300_000,
};

/** Why a ticket was not credited: a validation reason, or the winner could not be stored. */
export type TicketReceiptRejection = TicketRejectionReason | 'winner_not_stored';

export type TicketReceipt =
  | { ok: true; ticketHash: Hex; expectedValueWei: Wei; isWinner: boolean }
  | { ok: false; reason: TicketReceiptRejection; details: string };

export type ReceiveTicketsResult = {
  /** One per ticket, in order. */
  results: TicketReceipt[];
  /** Σ expected value of the accepted tickets, wei. */
  creditedWei: Wei;
  /** The session's balance after the credit, wei. */
  balanceWei: Wei;
  /** Winners stored (durably) for redemption. */
  winners: number;
  /**
   * recipientRandHash of the params this payment's winners retired: the recipient takes no more
   * tickets made with them (`params_retired`), so the sender must ask for new params.
   */
  retiredParams: Hex[];
};

/** A session id that is empty or too long. */
export class InvalidSessionIdError extends BaseError {
  override name = 'InvalidSessionIdError';
  constructor(details: string) {
    super('invalid_session_id', 'Invalid session id', { details });
  }
}

/** A negative charge. */
export class InvalidChargeError extends BaseError {
  override name = 'InvalidChargeError';
  constructor(details: string) {
    super('invalid_charge', 'Invalid charge', { details });
  }
}

const maxSessionIdLength = 256;

/**
 * The orchestrator side of ticket payments. Issues ticket params per sender (recipientRand from
 * an HMAC of `secret`, so nothing per ticket is stored), validates received tickets (signature,
 * recipient, params, expiry, nonce replay, sender funds), credits each valid ticket's expected
 * value to the session's balance and hands winners to the `RedemptionQueue`, durably, before
 * `receiveTickets` returns. `charge` debits what the session used (e.g. price × seconds).
 *
 * Replay state (the last nonce per params, retired params) lives in memory, and params live no
 * longer than it: each run draws a random epoch that it writes into every seed it issues (bytes
 * 8–16, after 8 random ones) and refuses seeds of other runs (`stale_params`), so tickets captured before a restart buy nothing after
 * it. A winner retires its params at once (go-livepeer's `invalidRands`): its redemption
 * publishes recipientRand, which would tell the sender which of its next tickets win.
 */
export class TicketRecipient {
  readonly address: Address;
  readonly #secret: RecipientSecret;
  readonly #publicClient: PublicClient;
  readonly #addresses: Pick<ProtocolAddresses, 'roundsManager' | 'ticketBroker'>;
  readonly #queue: RedemptionQueue;
  readonly #ticketValidityPeriod: bigint;
  readonly #nonces = new SenderNonceTracker();
  /**
   * 8 random bytes in every seed this run issues, after 8 random bytes of each params set: so a
   * seed's first byte is 0, and go-livepeer sends it short (`big.Int.Bytes()`), for 1 params set
   * in 256, as in go-livepeer, not for every set of 1 run in 256.
   */
  readonly #epoch: Hex = bytesToHex(randomBytes(8));
  #payments = 0;
  readonly #balances = new Map<string, Wei>();
  readonly #log = createLogger('protocol:recipient');
  /** The last value of each chain read, for when the chain cannot be reached. */
  readonly #lastRead = new LruMap<string, { value: unknown; at: number }>(maxChainValuesKept);
  #chainDownSince: number | undefined;
  /** Chain reads in flight, by key (one at a time each). */
  readonly #reading = new Map<string, Promise<unknown>>();
  #options: TicketRecipientOptions;

  private constructor(input: {
    address: Address;
    secret: RecipientSecret;
    publicClient: PublicClient;
    addresses: Pick<ProtocolAddresses, 'roundsManager' | 'ticketBroker'>;
    redemptionQueue: RedemptionQueue;
    ticketValidityPeriod: bigint;
    options: TicketRecipientOptions;
  }) {
    this.address = getAddress(input.address);
    this.#secret = input.secret;
    this.#publicClient = input.publicClient;
    this.#addresses = input.addresses;
    this.#queue = input.redemptionQueue;
    this.#ticketValidityPeriod = input.ticketValidityPeriod;
    this.#options = input.options;
  }

  /** Reads the TicketBroker's ticket validity period once. */
  static async create(input: {
    /** The orchestrator paid by the tickets. */
    address: Address;
    /** At least 32 bytes; keep it secret and stable across restarts (it derives recipientRand). */
    secret: RecipientSecret;
    publicClient: PublicClient;
    addresses: Pick<ProtocolAddresses, 'roundsManager' | 'ticketBroker'>;
    redemptionQueue: RedemptionQueue;
    options?:
      | {
          ticketParams?: Partial<TicketParamsOptions> | undefined;
          checkSenderFunds?: boolean | undefined;
          maxChainStalenessMs?: number | undefined;
        }
      | undefined;
  }): Promise<TicketRecipient> {
    const ticketValidityPeriod = await getTicketValidityPeriod(input.publicClient, input);
    return new TicketRecipient({
      ...input,
      ticketValidityPeriod,
      options: {
        ticketParams: { ...defaultTicketParamsOptions, ...input.options?.ticketParams },
        checkSenderFunds:
          input.options?.checkSenderFunds ?? defaultTicketRecipientOptions.checkSenderFunds,
        maxChainStalenessMs:
          input.options?.maxChainStalenessMs ?? defaultTicketRecipientOptions.maxChainStalenessMs,
      },
    });
  }

  get options(): Readonly<TicketRecipientOptions> {
    return this.#options;
  }

  /** Changes the options live; params issued before keep their values. */
  update(options: {
    ticketParams?: Partial<TicketParamsOptions> | undefined;
    checkSenderFunds?: boolean | undefined;
    maxChainStalenessMs?: number | undefined;
  }): void {
    this.#options = {
      ticketParams: { ...this.#options.ticketParams, ...options.ticketParams },
      checkSenderFunds: options.checkSenderFunds ?? this.#options.checkSenderFunds,
      maxChainStalenessMs: options.maxChainStalenessMs ?? this.#options.maxChainStalenessMs,
    };
  }

  /** Whether the last chain read failed (tickets are then checked against the last values read). */
  get chainReachable(): boolean {
    return this.#chainDownSince === undefined;
  }

  /**
   * A chain value. While the chain answers, it is read each time (within `chainReadDeadlineMs`
   * when a value is in hand, else as long as it takes). While it does not, the last value read
   * (up to `maxChainStalenessMs` old) is used at once and a read in the background tells when the
   * chain is back: payments never wait on a dead RPC, and tickets are checked against what the
   * chain said last.
   */
  async #read<T>(key: string, read: () => Promise<T>): Promise<T> {
    const last = this.#lastRead.get(key);
    const usable =
      last !== undefined && performance.now() - last.at <= this.#options.maxChainStalenessMs;
    const reading = this.#refresh(key, read);
    if (!usable) return reading;
    reading.catch(() => {});
    if (this.#chainDownSince !== undefined) return last.value as T;
    const late = Symbol('late');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      reading.catch(() => late),
      new Promise<typeof late>((resolve) => {
        timer = setTimeout(() => resolve(late), chainReadDeadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (result !== late) return result as T;
    this.#chainDown(new Error(`no answer within ${chainReadDeadlineMs} ms`));
    return last.value as T;
  }

  /** One read per key at a time; remembers the value and whether the chain answers. */
  #refresh<T>(key: string, read: () => Promise<T>): Promise<T> {
    const running = this.#reading.get(key);
    if (running) return running as Promise<T>;
    const reading = read()
      .then(
        (value) => {
          this.#lastRead.set(key, { value, at: performance.now() });
          this.#chainUp();
          return value;
        },
        (error: unknown) => {
          this.#chainDown(error);
          throw error;
        },
      )
      .finally(() => this.#reading.delete(key));
    this.#reading.set(key, reading);
    return reading;
  }

  #chainDown(error: unknown): void {
    if (this.#chainDownSince !== undefined) return;
    this.#chainDownSince = performance.now();
    this.#log.warn({ err: error }, 'chain unreachable: using the last values read');
  }

  #chainUp(): void {
    if (this.#chainDownSince === undefined) return;
    this.#log.info(
      { downMs: Math.round(performance.now() - this.#chainDownSince) },
      'chain reachable again',
    );
    this.#chainDownSince = undefined;
  }

  /**
   * Fresh ticket params for `sender`, from the current round, block and gas price; the face
   * value is capped at what the sender can pay this recipient (deposit + reserve allocation -
   * winners pending).
   */
  async ticketParams(sender: Address): Promise<TicketParams> {
    // The last initialised round, not the current one: until someone initialises the current
    // round it has no block hash, and a ticket naming it could never be redeemed.
    const [round, block, gasPriceWei] = await Promise.all([
      this.#lastInitializedRound(),
      this.#blockNumber(),
      this.#read('gasPrice', () => this.#publicClient.getGasPrice()),
    ]);
    const [creationRoundBlockHash, funds] = await Promise.all([
      this.#blockHashForRound(round),
      this.#senderFunds(sender),
    ]);
    return createTicketParams({
      recipient: this.address,
      sender,
      secret: this.#secret,
      gasPriceWei,
      currentBlock: block,
      expirationParams: { creationRound: round, creationRoundBlockHash },
      maxFloatWei: funds.depositWei + funds.reserveAllocationWei - (funds.pendingWinningWei ?? 0n),
      options: this.#options.ticketParams,
      seedNonce: concat([bytesToHex(randomBytes(8)), this.#epoch]),
    });
  }

  /**
   * Validates `tickets` for `sessionId`, credits the expected value of each valid one and stores
   * the winners for redemption (on disk before this resolves). Never throws for a bad ticket:
   * each gets a result with a named reason. The checks that need no chain come first, for the
   * whole payment; only then are the block hashes of the creation rounds and the funds of the
   * senders that passed them read (once each), so a payment of forged tickets costs no chain read.
   */
  async receiveTickets(sessionId: string, tickets: SignedTicket[]): Promise<ReceiveTicketsResult> {
    assertSessionId(sessionId);
    const batch = ++this.#payments;
    const [round, block] = await Promise.all([this.#currentRound(), this.#blockNumber()]);
    this.#nonces.prune(block);

    const verified: (VerifiedTicket | TicketRejection)[] = [];
    for (const received of tickets) {
      verified.push(
        await verifyTicket(received, {
          recipient: this.address,
          secret: this.#secret,
          currentRound: round,
          currentBlock: block,
          ticketValidityPeriod: this.#ticketValidityPeriod,
          nonces: this.#nonces,
          paramsEpoch: this.#epoch,
        }),
      );
    }
    const { roundHashes, funds } = await this.#chainValuesFor(verified);

    const results: TicketReceipt[] = [];
    const retiredParams = new Set<Hex>();
    let creditedWei = 0n;
    let winners = 0;
    for (const checked of verified) {
      if (!checked.ok) {
        results.push(checked);
        continue;
      }
      const { ticket, signature } = checked.received;
      const senderFunds = funds.get(ticket.sender.toLowerCase());
      const result = admitTicket(checked, {
        roundBlockHash: (r) => roundHashes.get(r),
        senderFunds,
        nonces: this.#nonces,
        batch,
      });
      if (!result.ok) {
        results.push(result);
        continue;
      }
      if (result.isWinner) {
        // Before the winner is stored, let alone redeemed: no later payment may use the params.
        this.#nonces.retire(ticket.recipientRandHash, batch);
        retiredParams.add(ticket.recipientRandHash);
        try {
          await this.#queue.accept({ ticket, signature, recipientRand: result.recipientRand });
        } catch (error) {
          this.#log.error({ err: error, ticketHash: result.ticketHash }, 'winner not stored');
          results.push({
            ok: false,
            reason: 'winner_not_stored',
            details: `the winning ticket could not be stored: ${String(error)}`,
          });
          continue;
        }
        winners++;
        // Later tickets of this batch must be payable on top of this winner.
        if (senderFunds) {
          senderFunds.pendingWinningWei = (senderFunds.pendingWinningWei ?? 0n) + ticket.faceValue;
        }
      }
      creditedWei += result.expectedValueWei;
      results.push({
        ok: true,
        ticketHash: result.ticketHash,
        expectedValueWei: result.expectedValueWei,
        isWinner: result.isWinner,
      });
    }
    const balanceWei = this.#add(sessionId, creditedWei);
    return { results, creditedWei, balanceWei, winners, retiredParams: [...retiredParams] };
  }

  /**
   * The block hashes of the creation rounds and the funds of the senders of the tickets that
   * passed `verifyTicket`, read at once (each at most once per payment).
   */
  async #chainValuesFor(
    verified: readonly (VerifiedTicket | TicketRejection)[],
  ): Promise<{ roundHashes: Map<bigint, Hex>; funds: Map<string, SenderFunds> }> {
    const rounds = new Set<bigint>();
    const senders = new Map<string, Address>();
    for (const checked of verified) {
      if (!checked.ok) continue;
      rounds.add(checked.creationRound);
      const { sender } = checked.received.ticket;
      if (this.#options.checkSenderFunds) senders.set(sender.toLowerCase(), sender);
    }
    const [hashes, senderFunds] = await Promise.all([
      Promise.all([...rounds].map(async (r) => [r, await this.#blockHashForRound(r)] as const)),
      Promise.all(
        [...senders].map(async ([key, sender]) => [key, await this.#senderFunds(sender)] as const),
      ),
    ]);
    return { roundHashes: new Map(hashes), funds: new Map(senderFunds) };
  }

  /** Debits `amountWei` (e.g. price × seconds) from the session; returns the new balance (may be < 0). */
  charge(sessionId: string, amountWei: Wei): Wei {
    assertSessionId(sessionId);
    if (amountWei < 0n) throw new InvalidChargeError(`amountWei must be >= 0, got ${amountWei}`);
    return this.#add(sessionId, -amountWei);
  }

  /** The session's credit minus its charges, wei (0 for an unknown session). */
  balance(sessionId: string): Wei {
    return this.#balances.get(sessionId) ?? 0n;
  }

  /** Forgets a session; returns its final balance. */
  closeSession(sessionId: string): Wei {
    const balance = this.balance(sessionId);
    this.#balances.delete(sessionId);
    return balance;
  }

  get sessionIds(): string[] {
    return [...this.#balances.keys()];
  }

  #add(sessionId: string, deltaWei: Wei): Wei {
    const balance = (this.#balances.get(sessionId) ?? 0n) + deltaWei;
    this.#balances.set(sessionId, balance);
    return balance;
  }

  /** The block expiry counts in: the L1 block on Arbitrum, the chain's own elsewhere. */
  #blockNumber(): Promise<bigint> {
    return this.#read('block', () => readExpiryBlock(this.#publicClient));
  }

  #currentRound(): Promise<bigint> {
    return this.#read('round', () =>
      getCurrentRound(this.#publicClient, { addresses: this.#addresses }),
    );
  }

  #lastInitializedRound(): Promise<bigint> {
    return this.#read('initializedRound', () =>
      getLastInitializedRound(this.#publicClient, { addresses: this.#addresses }),
    );
  }

  #blockHashForRound(round: bigint): Promise<Hex> {
    return this.#read(`blockHash:${round}`, () =>
      getBlockHashForRound(this.#publicClient, { addresses: this.#addresses, round }),
    );
  }

  async #senderFunds(sender: Address): Promise<SenderFunds> {
    const addresses = this.#addresses;
    const [info, reserveAllocationWei] = await this.#read(`funds:${sender.toLowerCase()}`, () =>
      Promise.all([
        getSenderInfo(this.#publicClient, { addresses, sender }),
        getClaimableReserve(this.#publicClient, {
          addresses,
          reserveHolder: sender,
          claimant: this.address,
        }),
      ]),
    );
    return {
      depositWei: info.depositWei,
      reserveAllocationWei,
      pendingWinningWei: this.#queue.store.pendingFaceValue(sender),
      withdrawRound: info.withdrawRound,
    };
  }
}

function assertSessionId(sessionId: string): void {
  if (sessionId.length === 0 || sessionId.length > maxSessionIdLength) {
    throw new InvalidSessionIdError(
      `sessionId must be 1 to ${maxSessionIdLength} characters, got ${sessionId.length}`,
    );
  }
}
