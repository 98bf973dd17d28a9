import type { Logger } from '@peerframe/core';

export type SparePoolOptions<T> = {
  /** Kept started ahead of need (0 starts each on demand). */
  spares: number;
  /** How long after one was taken its replacement starts, ms (the taker needs the core first). */
  refillDelayMs: number;
  /**
   * Starts the first spares only once one was asked for (`take`), not at construction: a process
   * that never takes one pays nothing for them.
   */
  startOnFirstTake?: boolean;
  /** Starts one (a spare, taken later by anyone). */
  start: () => Promise<T>;
  /** Ends a spare nobody took. */
  end: (spare: T) => Promise<unknown>;
  /** Where a spare that did not start is reported (it is skipped). */
  log: Logger;
  /** What a spare is, for that report. */
  what: string;
};

/**
 * Things that take a while to start (threads that load modules), started ahead of need:
 * `take(startNow)` hands out a started spare, else starts one with `startNow`, and starts the
 * spare's replacement `refillDelayMs` later.
 */
export class SparePool<T> {
  readonly #options: SparePoolOptions<T>;
  readonly #ready: Promise<T | undefined>[] = [];
  #refillTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: SparePoolOptions<T>) {
    this.#options = { ...options, spares: Math.max(0, options.spares) };
    if (!options.startOnFirstTake) this.#refill();
  }

  async take(startNow: () => Promise<T>): Promise<T> {
    const spare = this.#ready.shift();
    if (!this.#refillTimer && !this.#closed) {
      this.#refillTimer = setTimeout(() => {
        this.#refillTimer = undefined;
        this.#refill();
      }, this.#options.refillDelayMs);
      this.#refillTimer.unref();
    }
    return (await spare) ?? startNow();
  }

  /**
   * Starts the missing spares now (a replacement waiting for `refillDelayMs` included) and
   * resolves once every spare has started or failed to: nothing of the pool's is loading then, so
   * a node that waits for it before it says it is ready has nothing left to start for its first
   * takers.
   */
  async fill(): Promise<void> {
    clearTimeout(this.#refillTimer);
    this.#refillTimer = undefined;
    this.#refill();
    await Promise.all(this.#ready);
  }

  /** Spares started or starting, not yet taken. */
  get size(): number {
    return this.#ready.length;
  }

  #refill(): void {
    while (!this.#closed && this.#ready.length < this.#options.spares) {
      this.#ready.push(
        this.#options.start().catch((error: unknown) => {
          this.#options.log.warn({ err: error }, `a spare ${this.#options.what} did not start`);
          return undefined;
        }),
      );
    }
  }

  /** Ends the spares (those taken belong to their takers). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    const spares = this.#ready.splice(0);
    await Promise.all(
      spares.map(async (spare) => {
        const started = await spare;
        if (started !== undefined) await this.#options.end(started);
      }),
    );
  }
}
