import type { RawResult } from './rawHttp.ts';

export type HttpVerdict = {
  /** `201`, `400 invalid_sdp`, `parser 400`, `timeout`, … */
  outcome: string;
  failure?: string | undefined;
  status?: number | undefined;
  headers?: Record<string, string> | undefined;
};

/**
 * The rules every answer to bad input must follow: never a 5xx, never silence; a 4xx carries
 * `{ error: { code, message } }` as JSON. When the case broke HTTP framing on purpose (a
 * content-length lie, a bad method token), Node's own parser may answer a bare 4xx or close.
 */
export function judgeHttp(
  result: RawResult,
  {
    framingBroken,
    method,
    awaitsMoreBody = false,
  }: { framingBroken: boolean; method: string; awaitsMoreBody?: boolean | undefined },
): HttpVerdict {
  if (result.kind === 'timeout' && awaitsMoreBody) return { outcome: 'awaiting body (framing)' };
  if (result.kind === 'timeout') {
    return { outcome: 'timeout', failure: `no answer (received ${result.received} bytes)` };
  }
  if (result.kind === 'closed') {
    return framingBroken
      ? { outcome: 'closed (framing)' }
      : {
          outcome: 'closed',
          failure: `connection closed without an answer: ${result.error ?? ''}`,
        };
  }
  const { status, headers, body } = result.response;
  if (status >= 500) {
    return {
      outcome: `${status} ${errorCode(body) ?? ''}`.trim(),
      failure: `answered ${status}: ${body.toString('utf8').slice(0, 300)}`,
      status,
      headers,
    };
  }
  if (status < 400) return { outcome: String(status), status, headers };
  const json = headers['content-type']?.split(';')[0]?.trim() === 'application/json';
  if (!json) {
    return framingBroken
      ? { outcome: `parser ${status}`, status, headers }
      : {
          outcome: `${status} non-json`,
          failure: `a ${status} without a JSON error body (${headers['content-type'] ?? 'no content-type'})`,
          status,
          headers,
        };
  }
  if (method === 'HEAD') return { outcome: `${status} (head)`, status, headers };
  const code = errorCode(body);
  if (code === undefined) {
    return {
      outcome: `${status} bad-body`,
      failure: `a ${status} whose body is not { error: { code, message } }: ${body.toString('utf8').slice(0, 200)}`,
      status,
      headers,
    };
  }
  return { outcome: `${status} ${code}`, status, headers };
}

/** `error.code` of a `{ error: { code, message } }` body with both strings; else undefined. */
export function errorCode(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      error?: { code?: unknown; message?: unknown };
    };
    const { code, message } = parsed.error ?? {};
    if (typeof code !== 'string' || code.length === 0 || typeof message !== 'string')
      return undefined;
    return code;
  } catch {
    return undefined;
  }
}
