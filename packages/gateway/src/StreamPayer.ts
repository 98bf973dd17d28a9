import {
  BaseError,
  createLogger,
  type ErrorCode,
  HttpError,
  type Logger,
  TypedEmitter,
} from '@peerframe/core';
import type { Wei } from '@peerframe/protocol';
import { type GatewayPayments, PaymentError, type PaymentQuote } from './GatewayPayments.ts';
import type { OrchestratorClient } from './OrchestratorClient.ts';

/** What a stream pays with: the gateway's payments (or a fault-injecting wrapper of them). */
export type StreamPayments = Pick<
  GatewayPayments,
  'options' | 'sender' | 'quote' | 'pay' | 'send' | 'exhausts' | 'expiresSoon'
>;

/** A payment slower than this is logged: the orchestrator's grace is a few seconds, ms. */
const slowPaymentMs = 1_000;

/** What a stream has paid its orchestrator, for the control channel. */
export type StreamPayment = {
  priceWeiPerSecond: Wei;
  /** Expected value of every ticket sent to this orchestrator, upfront included, wei. */
  spentWei: Wei;
  /** The orchestrator's count of the session's credit after the last payment, wei. */
  balanceWei: Wei;
};

export type StreamPayerEvents = {
  payment: [StreamPayment];
  /**
   * Payments failed `maxAttempts` times in a row, or the orchestrator ended the session: the
   * stream should move. `cause` is the last error (e.g. params beyond the safeguards).
   */
  failed: [{ reason: string; cause: unknown }];
  /**
   * The gateway cannot pay any orchestrator (its deposit is unlocking): the stream should end,
   * no orchestrator is at fault. `code` names why (`sender_unlocking`).
   */
  'cannot-pay': [{ code: ErrorCode; reason: string }];
};

/**
 * Pays one orchestrator session every `intervalMs` for the time it ran: price × elapsed, in
 * tickets. A payment that fails is tried again with fresh ticket params; after `maxAttempts`
 * failures in a row (or at once when the orchestrator says the session ended) it reports
 * `failed`, and the stream moves to another orchestrator. When the gateway itself cannot pay
 * (its deposit is unlocking) it stops at once and reports `cannot-pay`. Never gives up silently.
 */
export class StreamPayer extends TypedEmitter<StreamPayerEvents> {
  readonly #payments: StreamPayments;
  readonly #client: OrchestratorClient;
  readonly #sessionId: string;
  readonly #pipeline: string;
  readonly #log: Logger;
  #quote: PaymentQuote;
  #paidUntil = performance.now();
  #owedWei = 0n;
  #spentWei: Wei;
  #balanceWei: Wei;
  #busy = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  /** The orchestrator retired the params in hand (a ticket won): fetch new ones first. */
  #requote = false;
  /**
   * Expected value the orchestrator accepted beyond what was owed, with the params in hand (the
   * `TicketSender` carries it into their next batch); moved into `#owedWei` when they change.
   */
  #paramsCreditWei: Wei;

  constructor(input: {
    payments: StreamPayments;
    client: OrchestratorClient;
    sessionId: string;
    pipeline: string;
    quote: PaymentQuote;
    /** What the upfront payment was worth, wei. */
    upfrontWei: Wei;
    balanceWei: Wei;
    /** The upfront payment won and retired `quote`'s params: the first payment re-quotes. */
    paramsRetired?: boolean;
  }) {
    super();
    this.#payments = input.payments;
    this.#client = input.client;
    this.#sessionId = input.sessionId;
    this.#pipeline = input.pipeline;
    this.#quote = input.quote;
    this.#spentWei = input.upfrontWei;
    this.#balanceWei = input.balanceWei;
    const upfrontOwedWei = input.quote.priceWeiPerSecond * BigInt(input.quote.upfrontSeconds);
    this.#paramsCreditWei =
      input.upfrontWei > upfrontOwedWei ? input.upfrontWei - upfrontOwedWei : 0n;
    this.#log = createLogger('gateway:payer', { orchestrator: input.client.url });
    this.#requote = input.paramsRetired === true;
  }

  get payment(): StreamPayment {
    return {
      priceWeiPerSecond: this.#quote.priceWeiPerSecond,
      spentWei: this.#spentWei,
      balanceWei: this.#balanceWei,
    };
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#paidUntil = performance.now();
    this.#timer = setInterval(() => void this.#tick(), this.#payments.options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#payments.sender.forget(this.#quote.params.recipientRandHash);
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const now = performance.now();
      const elapsedMs = BigInt(Math.floor(now - this.#paidUntil));
      const price = this.#quote.priceWeiPerSecond;
      const amountWei = (price * elapsedMs) / 1000n;
      if (price > 0n) this.#paidUntil += Number((amountWei * 1000n) / price);
      else this.#paidUntil = now;
      this.#owedWei += amountWei;
      if (this.#owedWei <= 0n) return;
      await this.#payOwed();
    } finally {
      this.#busy = false;
    }
  }

  /** Pays with `quote`'s params from now on; the credit the old ones carried pays the next second. */
  #useQuote(quote: PaymentQuote): void {
    if (quote.params.recipientRandHash !== this.#quote.params.recipientRandHash) {
      // A refused batch added no credit.
      this.#payments.sender.forget(this.#quote.params.recipientRandHash);
      this.#owedWei -= this.#paramsCreditWei;
      this.#paramsCreditWei = 0n;
    }
    this.#quote = quote;
  }

  async #payOwed(): Promise<void> {
    const { maxAttempts } = this.#payments.options;
    let lastError: unknown;
    let requotedForRetired = false;
    for (let attempt = 1; attempt <= maxAttempts && !this.#stopped; attempt++) {
      const startedAt = performance.now();
      try {
        const due = this.#owedWei > 0n ? this.#owedWei : 0n;
        if (
          attempt > 1 ||
          this.#requote ||
          this.#payments.exhausts(this.#quote.params, due) ||
          (await this.#payments.expiresSoon(this.#quote.params))
        ) {
          const quote = await this.#payments.quote(this.#client, this.#pipeline);
          if (!quote) throw new BaseError('payments_disabled', 'The orchestrator stopped charging');
          this.#useQuote(quote);
          this.#requote = false;
        }
        const owedWei = this.#owedWei > 0n ? this.#owedWei : 0n;
        const { tickets, expectedValueWei } = await this.#payments.pay(this.#quote.params, owedWei);
        // At a low price one ticket covers several seconds: the credit carried pays for this one.
        const outcome =
          tickets.length > 0
            ? await this.#payments.send(this.#client, this.#sessionId, this.#quote, tickets)
            : undefined;
        if (this.#stopped) return;
        const tookMs = performance.now() - startedAt;
        if (tookMs > slowPaymentMs) {
          this.#log.warn({ tookMs: Math.round(tookMs), tickets: tickets.length }, 'slow payment');
        }
        this.#owedWei -= owedWei;
        this.#paramsCreditWei += expectedValueWei - owedWei;
        this.#spentWei += expectedValueWei;
        // Without the orchestrator's count (the Livepeer wire gives none): what was sent, less
        // what was owed.
        this.#balanceWei =
          outcome?.balanceWei ?? this.#balanceWei + (outcome ? expectedValueWei : 0n) - owedWei;
        if (outcome?.paramsRetired) this.#requote = true;
        if (outcome?.freshParams) this.#useQuote({ ...this.#quote, params: outcome.freshParams });
        this.emit('payment', this.payment);
        return;
      } catch (error) {
        lastError = error;
        if (this.#stopped) return;
        if (error instanceof PaymentError && error.blame === 'gateway') {
          this.stop();
          this.#log.warn({ err: error, sessionId: this.#sessionId }, 'cannot pay: stream ends');
          this.emit('cannot-pay', { code: error.code, reason: error.shortMessage });
          return;
        }
        // Params retired by a winner this payer was not told of (another payer's, with the same
        // sender): none of the tickets counted, so pay the same amount with new params; not a
        // failed try, once per payment.
        if (
          error instanceof HttpError &&
          error.code === 'ticket_params_retired' &&
          !requotedForRetired
        ) {
          requotedForRetired = true;
          this.#requote = true;
          attempt--;
          continue;
        }
        const ended = error instanceof HttpError && (error.status === 404 || error.status === 410);
        this.#log.warn({ err: error, attempt, sessionId: this.#sessionId }, 'payment failed');
        if (ended) break;
      }
    }
    if (this.#stopped) return;
    this.stop();
    const reason = lastError instanceof BaseError ? lastError.shortMessage : String(lastError);
    this.emit('failed', { reason: `payment failed: ${reason}`, cause: lastError });
  }
}
