import { type ErrorCode, toErrorCode } from '@peerframe/core/browser';

/**
 * What every PeerFrame HTTP API answers a refused request with (4xx: the caller's mistake, 5xx:
 * the node's): a stable lower-snake-case `code` and a message for people.
 */
export type ErrorBody = { error: { code: ErrorCode; message: string } };

/**
 * The `{ code, message }` of an error body (the code lower-cased, as codes are), or undefined when
 * `value` is not one (a proxy's HTML page, a truncated body): the caller then reports the status
 * alone.
 */
export function errorOfBody(value: unknown): ErrorBody['error'] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || code.length === 0 || code.length > 100) return undefined;
  if (typeof message !== 'string') return undefined;
  return { code: toErrorCode(code), message: message.slice(0, 2_000) };
}
