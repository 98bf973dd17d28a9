import { BaseError } from '@peerframe/core/browser';
import { errorOfBody } from '@peerframe/wire';
import { waitConnected } from './waitConnected.ts';

/** What the session throws and reports: a stable `code`, and whether it may pass. */
export class SessionError extends BaseError {
  override name = 'SessionError';
}

/** The error of a WHIP POST the gateway refused, retryable when it may pass. */
export function whipError(status: number, body: string): SessionError {
  let error: ReturnType<typeof errorOfBody>;
  try {
    error = errorOfBody(JSON.parse(body));
  } catch {
    // Not JSON: keep the status.
  }
  const code = error?.code ?? 'whip_failed';
  const message = error?.message ?? `The gateway answered ${status}`;
  // Capacity, rate limits and server errors may pass; bad requests and refused keys do not.
  const retryable = status === 429 || status === 408 || status >= 500;
  return new SessionError(code, message, { retryable, details: `HTTP ${status}` });
}

/** Resolves once `pc` is connected, or rejects with the session's error for why not. */
export function waitSessionConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  return waitConnected(pc, timeoutMs, {
    failed: (state) =>
      new SessionError('connect_failed', `The connection ${state}`, {
        retryable: state === 'failed',
      }),
    timedOut: () =>
      new SessionError('connect_timeout', `Not connected after ${timeoutMs} ms`, {
        retryable: true,
      }),
  });
}
