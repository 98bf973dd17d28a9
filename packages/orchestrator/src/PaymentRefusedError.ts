import { BaseError, type BaseErrorOptions } from '@peerframe/core';

/** Why `OrchestratorPayments` refused a payment or a request about payments. */
export type PaymentRefusalCode =
  /** `/info?sender=` is not an address. */
  | 'invalid_sender'
  /** The payment's JSON is not a payment (`decodePayment`). */
  | 'invalid_payment'
  /** A paid pipeline's session was asked for without an upfront payment. */
  | 'payment_required'
  /** The upfront payment is worth less than `upfrontSeconds` at the price. */
  | 'insufficient_payment'
  /** The sender's deposit and reserve cannot back a ticket: no params for it. */
  | 'insufficient_funds'
  /** Some tickets were refused (the rest were credited). */
  | 'ticket_rejected'
  /** Every refused ticket used params a winner retired: fetch new params and pay again. */
  | 'ticket_params_retired'
  /** Tickets from another sender than the one that opened the session. */
  | 'wrong_sender'
  /** No session by that id takes payments here. */
  | 'session_not_found';

/**
 * A payment the orchestrator refused, with a stable `code`; the server maps the codes to HTTP
 * statuses (`httpErrorOf`).
 */
export class PaymentRefusedError extends BaseError {
  override name = 'PaymentRefusedError';
  declare readonly code: PaymentRefusalCode;
  constructor(code: PaymentRefusalCode, shortMessage: string, options: BaseErrorOptions = {}) {
    super(code, shortMessage, options);
  }
}
