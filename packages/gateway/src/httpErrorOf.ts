import { BaseError, HttpError } from '@peerframe/core';
import { PaymentError } from './GatewayPayments.ts';
import { GatewayStateUnavailableError } from './GatewayState.ts';

/**
 * The gateway's one mapping of domain errors to HTTP: what its request handlers throw becomes
 * the error `sendError` answers with. An `HttpError` stays as it is; a `PaymentError` is 502
 * when the orchestrator's terms are at fault (another orchestrator may do) and 503 when the
 * gateway cannot pay anyone (`sender_unlocking`); the shared state out of reach is 503; any other `BaseError` is the caller's (400)
 * and anything else ours (500), as `sendError` decides.
 */
export function httpErrorOf(error: unknown): unknown {
  if (error instanceof HttpError || !(error instanceof BaseError)) return error;
  const status = statusOf(error);
  if (status === undefined) return error;
  return new HttpError(status, error.code, error.shortMessage, {
    details: error.details,
    cause: error,
  });
}

function statusOf(error: BaseError): number | undefined {
  if (error instanceof PaymentError) return error.blame === 'gateway' ? 503 : 502;
  if (error instanceof GatewayStateUnavailableError) return 503;
  return undefined;
}
