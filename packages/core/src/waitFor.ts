import { BaseError } from './BaseError.ts';

export class TimeoutError extends BaseError {
  override name = 'TimeoutError';
  constructor(what: string, timeoutMs: number) {
    super('timeout', `Timed out after ${timeoutMs} ms waiting for ${what}`, { retryable: true });
  }
}

/** Polls `condition` every `intervalMs` until it is truthy; rejects after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new TimeoutError(what, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
