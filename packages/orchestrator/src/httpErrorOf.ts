import { HttpError } from '@peerframe/core';
import { type PaymentRefusalCode, PaymentRefusedError } from './PaymentRefusedError.ts';

/** The HTTP status of each payment refusal. */
const paymentRefusalStatus: Record<PaymentRefusalCode, number> = {
  invalid_sender: 400,
  invalid_payment: 400,
  payment_required: 402,
  insufficient_payment: 402,
  insufficient_funds: 402,
  ticket_rejected: 402,
  ticket_params_retired: 402,
  wrong_sender: 403,
  session_not_found: 404,
};

/**
 * The orchestrator's one mapping of domain errors to HTTP: what its request handlers throw
 * becomes the error `sendError` answers with. An `HttpError` stays as it is; a payment refusal
 * gets its status from `paymentRefusalStatus`; any other `BaseError` is the caller's (400) and
 * anything else ours (500), as `sendError` decides.
 */
export function httpErrorOf(error: unknown): unknown {
  if (!(error instanceof PaymentRefusedError)) return error;
  return new HttpError(paymentRefusalStatus[error.code], error.code, error.shortMessage, {
    details: error.details,
    cause: error,
  });
}
