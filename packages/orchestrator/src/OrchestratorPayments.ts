import { createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import {
  decodeLivepeerPayment,
  decodePayment,
  encodeLivepeerPaymentResult,
  encodeTicketParams,
  InsufficientFundsError,
  isSameLivepeerPrice,
  type LivepeerPrice,
  livepeerPriceOf,
  maxSenderNoncesPerParams,
  type RedemptionQueue,
  type RoundService,
  type SignedTicket,
  type TicketParams,
  type TicketRecipient,
  type Wei,
} from '@peerframe/protocol';
import {
  InvalidPaymentError,
  type PaymentEncoding,
  type PaymentReceipt,
  type PaymentTerms,
} from '@peerframe/wire';
import { type Address, getAddress, isAddress } from 'viem';
import { PaymentRefusedError } from './PaymentRefusedError.ts';

export type OrchestratorPaymentsOptions = {
  /** Price of every pipeline, wei per second of stream. */
  priceWeiPerSecond: Wei;
  /** Prices of particular pipelines, wei per second (override `priceWeiPerSecond`). */
  pipelinePricesWeiPerSecond: Readonly<Record<string, Wei>>;
  /** A session starts only once this many seconds are paid for (default 10). */
  upfrontSeconds: number;
  /** How long a session may stay in debt before it is stopped, ms (default 3 000). */
  graceMs: number;
  /** How often sessions are charged for the time they ran, ms (default 1 000). */
  chargeIntervalMs: number;
};

export const defaultOrchestratorPaymentsOptions: Omit<
  OrchestratorPaymentsOptions,
  'priceWeiPerSecond'
> = {
  pipelinePricesWeiPerSecond: {},
  upfrontSeconds: 10,
  graceMs: 3_000,
  chargeIntervalMs: 1_000,
};

type Account = {
  sender: Address;
  priceWeiPerSecond: Wei;
  chargedAt: number;
  debtSince?: number;
  /** Charged from usage reports (a session on a remote worker) rather than by the clock. */
  usage?: { sinceMs: number; chargedMs: number };
};

export type OrchestratorPaymentsEvents = {
  /** A session stayed in debt past the grace: the orchestrator stops it. */
  'balance-exhausted': [{ sessionId: string; balanceWei: Wei }];
  /** A payment's tickets were looked at: how many arrived in which encoding, and were accepted. */
  tickets: [{ sessionId: string; encoding: PaymentEncoding; received: number; accepted: number }];
};

/** The payment encodings this orchestrator takes, as `GET /info` states them. */
const acceptedEncodings: PaymentEncoding[] = ['json', 'livepeer'];

/**
 * The orchestrator's side of per-second payments: prices, ticket params per sender, the upfront
 * payment a session needs before it starts, the tickets that keep it running, and a charge each
 * second for the time it ran. A session whose balance stays negative for `graceMs` is reported
 * (`balance-exhausted`) so the server stops it. Winners are stored durably by the
 * `TicketRecipient` before a payment is acknowledged.
 */
export class OrchestratorPayments extends TypedEmitter<OrchestratorPaymentsEvents> {
  readonly recipient: TicketRecipient;
  readonly redemptionQueue: RedemptionQueue;
  readonly roundService: RoundService | undefined;
  readonly #accounts = new Map<string, Account>();
  readonly #options: OrchestratorPaymentsOptions;
  readonly #timer: NodeJS.Timeout;
  readonly #log: Logger = createLogger('orchestrator:payments');

  constructor(input: {
    recipient: TicketRecipient;
    redemptionQueue: RedemptionQueue;
    /** Initialises rounds and claims rewards; stopped with the payments. */
    roundService?: RoundService | undefined;
    options: Partial<OrchestratorPaymentsOptions> & { priceWeiPerSecond: Wei };
  }) {
    super();
    this.recipient = input.recipient;
    this.redemptionQueue = input.redemptionQueue;
    this.roundService = input.roundService;
    this.#options = { ...defaultOrchestratorPaymentsOptions, ...input.options };
    if (this.#options.priceWeiPerSecond < 0n) {
      throw new RangeError(
        `priceWeiPerSecond must be >= 0, got ${this.#options.priceWeiPerSecond}`,
      );
    }
    assertUpfrontFitsParams(this.#options, input.recipient.options.ticketParams.expectedValueWei);
    this.#timer = setInterval(() => this.#chargeAll(), this.#options.chargeIntervalMs);
    this.#timer.unref();
  }

  priceOf(pipeline: string): Wei {
    return this.#options.pipelinePricesWeiPerSecond[pipeline] ?? this.#options.priceWeiPerSecond;
  }

  /** What `GET /info` says about payments: prices, and with `sender` its ticket params. */
  async info(pipelines: readonly string[], sender: string | null): Promise<PaymentTerms> {
    const info: PaymentTerms = {
      recipient: this.recipient.address,
      priceWeiPerSecond: Object.fromEntries(pipelines.map((p) => [p, this.priceOf(p).toString()])),
      upfrontSeconds: this.#options.upfrontSeconds,
      graceMs: this.#options.graceMs,
      paymentEncodings: [...acceptedEncodings],
    };
    if (sender !== null) {
      if (!isAddress(sender, { strict: false })) {
        throw new PaymentRefusedError('invalid_sender', '"sender" must be a 20-byte hex address');
      }
      try {
        info.ticketParams = encodeTicketParams(
          await this.recipient.ticketParams(getAddress(sender)),
        );
      } catch (error) {
        if (!(error instanceof InsufficientFundsError)) throw error;
        throw new PaymentRefusedError(
          'insufficient_funds',
          `Sender ${sender} cannot back a ticket: fund its TicketBroker deposit and reserve (${error.details ?? ''})`,
          { cause: error },
        );
      }
    }
    return info;
  }

  /**
   * Credits a new session's upfront payment; throws `insufficient_payment` unless it covers `upfrontSeconds` at the
   * pipeline's price. Free pipelines (price 0) need no payment.
   */
  async open(sessionId: string, pipeline: string, payment: unknown): Promise<PaymentReceipt> {
    const priceWeiPerSecond = this.priceOf(pipeline);
    if (priceWeiPerSecond === 0n && payment === undefined) {
      this.#accounts.set(sessionId, {
        sender: '0x0000000000000000000000000000000000000000',
        priceWeiPerSecond,
        chargedAt: performance.now(),
      });
      return emptyReceipt();
    }
    if (payment === undefined) {
      throw new PaymentRefusedError(
        'payment_required',
        `Pipeline "${pipeline}" costs ${priceWeiPerSecond} wei/s: POST /sessions needs a "payment" of ${this.#options.upfrontSeconds} s upfront`,
      );
    }
    const { sender, receipt } = await this.#receive(sessionId, decoded(payment));
    const requiredWei = priceWeiPerSecond * BigInt(this.#options.upfrontSeconds);
    if (BigInt(receipt.balanceWei) < requiredWei) {
      // No session will carry this id: the sender pays again, in full, with its next try.
      this.recipient.closeSession(sessionId);
      throw new PaymentRefusedError(
        'insufficient_payment',
        `The upfront payment is worth ${receipt.balanceWei} wei; ${requiredWei} wei (${this.#options.upfrontSeconds} s at ${priceWeiPerSecond} wei/s) are needed${describeRejections(receipt)}`,
      );
    }
    this.#accounts.set(sessionId, { sender, priceWeiPerSecond, chargedAt: performance.now() });
    return receipt;
  }

  /**
   * Credits a running session's tickets; throws `PaymentRefusedError` when some are refused (the rest count):
   * `ticket_params_retired` when every refusal says the params were retired (fetch new ones and
   * pay again), `ticket_rejected` otherwise. Tickets from any sender but the one that opened a
   * paid session are refused whole (`wrong_sender`) before any is looked at.
   */
  async pay(sessionId: string, payment: unknown): Promise<PaymentReceipt> {
    const account = this.#account(sessionId);
    return this.#credit(account, await this.#receive(sessionId, decoded(payment), account));
  }

  /**
   * The price of a session on Livepeer's wire (`PriceInfo`): its wei per second, stated for a
   * 1280×720 30 fps stream (`livepeerPriceOf`). What a Livepeer payment's `expected_price` must be.
   */
  livepeerPriceOf(sessionId: string): LivepeerPrice {
    return livepeerPriceOf(this.#account(sessionId).priceWeiPerSecond);
  }

  /**
   * Credits a running session's payment in go-livepeer's encoding (the base64 protobuf `Payment`
   * of a `Livepeer-Payment` header) and answers a protobuf `PaymentResult`: this orchestrator's
   * info, with fresh ticket params for the sender and the session's price. As go-livepeer, a
   * payment without an `expected_price` is refused (`invalid expected price sent with payment
   * err="expected price is nil"`), and so is one whose price is not the session's: go-livepeer
   * binds the price into recipientRand, so there the refusal reads `invalid recipientRand for
   * ticket recipientRandHash`, and so it does here. Refusals are `PaymentRefusedError`s as `pay`'s.
   */
  async payLivepeer(sessionId: string, header: string, transcoder: string): Promise<Uint8Array> {
    const account = this.#account(sessionId);
    let payment: ReturnType<typeof decodeLivepeerPayment>;
    try {
      payment = decodeLivepeerPayment(header.trim());
    } catch (error) {
      if (error instanceof InvalidPaymentError) {
        throw new PaymentRefusedError('invalid_payment', error.shortMessage, { cause: error });
      }
      throw error;
    }
    const price = livepeerPriceOf(account.priceWeiPerSecond);
    const expected = payment.expectedPrice;
    if (expected === undefined || expected.pixelsPerUnit <= 0n) {
      const why = expected === undefined ? 'expected price is nil' : 'pixels per unit is 0';
      throw new PaymentRefusedError(
        'invalid_expected_price',
        `invalid expected price sent with payment err="${why}"`,
      );
    }
    if (!isSameLivepeerPrice(expected, price)) {
      throw new PaymentRefusedError(
        'expected_price_mismatch',
        'invalid recipientRand for ticket recipientRandHash',
        {
          details: `expected_price ${expected.pricePerUnit}/${expected.pixelsPerUnit} wei per pixel is not the session's ${price.pricePerUnit}/${price.pixelsPerUnit}`,
        },
      );
    }
    const received = await this.#receive(
      sessionId,
      { sender: payment.sender, tickets: payment.tickets, encoding: 'livepeer' },
      account,
    );
    await this.#credit(account, received);
    let params: TicketParams | undefined;
    try {
      params = await this.recipient.ticketParams(payment.sender);
    } catch (error) {
      // The payment counted; the sender asks again when it needs params.
      this.#log.warn({ err: error, sessionId }, 'no fresh ticket params for the payment result');
    }
    return encodeLivepeerPaymentResult({
      transcoder,
      address: this.recipient.address,
      params,
      price,
    });
  }

  #account(sessionId: string): Account {
    const account = this.#accounts.get(sessionId);
    if (!account) throw new PaymentRefusedError('session_not_found', `No session ${sessionId}`);
    return account;
  }

  /** Throws for refused tickets (the rest counted); clears the session's debt when paid up. */
  #credit(account: Account, { receipt }: { receipt: PaymentReceipt }): PaymentReceipt {
    if (receipt.rejected.length > 0) {
      const retired = receipt.rejected.every((r) => r.reason === 'params_retired');
      throw new PaymentRefusedError(
        retired ? 'ticket_params_retired' : 'ticket_rejected',
        `${receipt.rejected.length} of ${receipt.rejected.length + receipt.accepted} tickets refused${describeRejections(receipt)}; balance ${receipt.balanceWei} wei`,
      );
    }
    if (BigInt(receipt.balanceWei) >= 0n) delete account.debtSince;
    return receipt;
  }

  /** The session's balance, wei. */
  balance(sessionId: string): Wei {
    return this.recipient.balance(sessionId);
  }

  /**
   * From now on, session `sessionId` is charged from the usage its worker reports
   * (`chargeUsage`), not by this node's clock.
   */
  meterByUsage(sessionId: string): void {
    const account = this.#accounts.get(sessionId);
    if (account) account.usage = { sinceMs: performance.now(), chargedMs: 0 };
  }

  /**
   * Charges price × the seconds of use a worker reported (cumulative) beyond those charged so
   * far; never more than the time since `meterByUsage` (plus a second of slack), whatever the
   * worker claims. Returns the balance, or undefined for a session not metered by usage.
   */
  chargeUsage(sessionId: string, seconds: number): Wei | undefined {
    const account = this.#accounts.get(sessionId);
    const usage = account?.usage;
    if (!account || !usage) return undefined;
    const usedMs = Math.min(seconds * 1000, performance.now() - usage.sinceMs + 1000);
    const price = account.priceWeiPerSecond;
    const amountWei = (price * BigInt(Math.max(0, Math.floor(usedMs - usage.chargedMs)))) / 1000n;
    if (amountWei === 0n) return this.recipient.balance(sessionId);
    // Advance by the time this amount pays for, so rounding never loses a wei.
    usage.chargedMs += Number((amountWei * 1000n) / price);
    return this.recipient.charge(sessionId, amountWei);
  }

  /** Charges what the session used up to now and forgets it; returns the final balance. */
  close(sessionId: string): Wei {
    const account = this.#accounts.get(sessionId);
    if (!account) return 0n;
    this.#charge(sessionId, account, performance.now());
    this.#accounts.delete(sessionId);
    return this.recipient.closeSession(sessionId);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.roundService?.stop();
    for (const id of [...this.#accounts.keys()]) this.close(id);
    await this.redemptionQueue.close();
  }

  /**
   * Validates and credits tickets; with the `account` of a running paid session, tickets from any
   * sender but the one that opened it are refused whole (`wrong_sender`) before any is looked at.
   */
  async #receive(
    sessionId: string,
    payment: { sender: Address; tickets: SignedTicket[]; encoding: PaymentEncoding },
    account?: Account,
  ): Promise<{ sender: Address; receipt: PaymentReceipt }> {
    if (account && payment.sender !== account.sender && account.priceWeiPerSecond > 0n) {
      throw new PaymentRefusedError(
        'wrong_sender',
        `Session ${sessionId} is paid by ${account.sender}, not ${payment.sender}`,
      );
    }
    const startedAt = performance.now();
    const result = await this.recipient.receiveTickets(sessionId, payment.tickets);
    const tookMs = performance.now() - startedAt;
    if (tookMs > 1_000) {
      this.#log.warn({ sessionId, tookMs: Math.round(tookMs) }, 'slow ticket validation');
    }
    const rejected: PaymentReceipt['rejected'] = [];
    result.results.forEach((r, index) => {
      if (!r.ok) rejected.push({ index, reason: r.reason, details: r.details });
    });
    if (result.winners > 0) {
      this.#log.info({ sessionId, winners: result.winners }, 'winning tickets stored');
    }
    const accepted = result.results.length - rejected.length;
    this.emit('tickets', {
      sessionId,
      encoding: payment.encoding,
      received: payment.tickets.length,
      accepted,
    });
    return {
      sender: payment.sender,
      receipt: {
        creditedWei: result.creditedWei.toString(),
        balanceWei: result.balanceWei.toString(),
        accepted,
        winners: result.winners,
        rejected,
        paramsRetired: result.retiredParams.length > 0,
      },
    };
  }

  #chargeAll(): void {
    const now = performance.now();
    for (const [sessionId, account] of this.#accounts) {
      const balanceWei = this.#charge(sessionId, account, now);
      if (balanceWei >= 0n) {
        delete account.debtSince;
        continue;
      }
      account.debtSince ??= now;
      if (now - account.debtSince >= this.#options.graceMs) {
        this.#log.warn({ sessionId, balanceWei }, 'session out of credit');
        this.#accounts.delete(sessionId);
        this.emit('balance-exhausted', { sessionId, balanceWei });
      }
    }
  }

  /** Debits price × time since the last charge (whole wei; the remainder waits). */
  #charge(sessionId: string, account: Account, now: number): Wei {
    // A session metered by usage is charged when its worker reports.
    if (account.usage) return this.recipient.balance(sessionId);
    const elapsedMs = BigInt(Math.max(0, Math.floor(now - account.chargedAt)));
    const amountWei = (account.priceWeiPerSecond * elapsedMs) / 1000n;
    if (amountWei === 0n) return this.recipient.balance(sessionId);
    // Advance by the time this amount pays for, so rounding never loses a wei.
    account.chargedAt += Number((amountWei * 1000n) / account.priceWeiPerSecond);
    return this.recipient.charge(sessionId, amountWei);
  }
}

/** A JSON payment's sender and tickets; `invalid_payment` names the first wrong field. */
function decoded(payment: unknown): {
  sender: Address;
  tickets: SignedTicket[];
  encoding: PaymentEncoding;
} {
  try {
    const { sender, decoded } = decodePayment(payment);
    return { sender, tickets: decoded, encoding: 'json' };
  } catch (error) {
    if (error instanceof InvalidPaymentError) {
      throw new PaymentRefusedError('invalid_payment', error.shortMessage, { cause: error });
    }
    throw error;
  }
}

function emptyReceipt(): PaymentReceipt {
  return {
    creditedWei: '0',
    balanceWei: '0',
    accepted: 0,
    winners: 0,
    rejected: [],
    paramsRetired: false,
  };
}

function describeRejections(receipt: PaymentReceipt): string {
  if (receipt.rejected.length === 0) return '';
  const reasons = [...new Set(receipt.rejected.map((r) => r.reason))];
  const first = receipt.rejected[0];
  return ` (refused: ${reasons.join(', ')}${first ? `; first: ${first.details}` : ''})`;
}

/**
 * Refuses prices whose upfront payment needs more tickets than one params set takes
 * (`maxSenderNoncesPerParams`, 600, go-livepeer's): no gateway could open a session. With the
 * default EV (8e9 wei, go-livepeer's) and 10 s upfront that is any price of 4.8e11 wei/s or more.
 */
function assertUpfrontFitsParams(options: OrchestratorPaymentsOptions, ticketEvWei: Wei): void {
  const prices = [
    ['priceWeiPerSecond', options.priceWeiPerSecond],
    ...Object.entries(options.pipelinePricesWeiPerSecond).map(
      ([pipeline, price]) => [`the price of "${pipeline}"`, price] as const,
    ),
  ] as const;
  // Issued tickets are worth a wei less than the EV asked (winProb rounds down).
  const ev = ticketEvWei > 1n ? ticketEvWei - 1n : ticketEvWei;
  for (const [name, price] of prices) {
    const upfrontWei = price * BigInt(options.upfrontSeconds);
    const tickets = (upfrontWei + ev - 1n) / ev;
    if (tickets > BigInt(maxSenderNoncesPerParams)) {
      const minEvWei = upfrontWei / BigInt(maxSenderNoncesPerParams) + 2n;
      throw new RangeError(
        `At ${name} (${price} wei/s), the ${options.upfrontSeconds} s upfront payment takes ${tickets} tickets of EV ${ticketEvWei} wei, more than the ${maxSenderNoncesPerParams} one set of ticket params takes: raise the ticket EV (--ticket-ev-wei) to at least ${minEvWei} wei, or lower the price or the upfront seconds`,
      );
    }
  }
}
