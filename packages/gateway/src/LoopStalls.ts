import { closeSync, openSync, readSync } from 'node:fs';

export type LoopStallsOptions = {
  /** How often the loop is sampled, ms (default 20). */
  tickMs?: number;
  /** Lateness of a sample that is still the loop's ordinary jitter, not a stall, ms (default 20). */
  toleranceMs?: number;
  /** How long stalls are remembered, ms (default 10 000): the longest window asked about. */
  historyMs?: number;
};

export const defaultLoopStallsOptions = { tickMs: 20, toleranceMs: 20, historyMs: 10_000 };

/**
 * When this process's own event loop was held: starved of CPU (a cgroup quota, a machine past
 * its knee) or busy with a backlog. Meanwhile packets wait unread in the sockets, so silence from
 * a peer over that time says nothing about the peer: a failure detector counts only the time the
 * loop ran (`heldMsBetween`). Two measures, the larger counts:
 *
 * - lateness: a timer samples the loop every `tickMs`; a sample late by more than `toleranceMs`
 *   marks the time it was late by as held (a loop busy with a backlog, or not scheduled);
 * - CPU wait: where Linux tells it (`/proc/thread-self/schedstat`, read at each sample, ~10 µs),
 *   the time the loop's thread was runnable but waited for a CPU: a cgroup quota's throttling, a
 *   machine with more work than cores. A loop that still keeps time can be starved this way.
 *
 * The timer does not keep the process alive.
 */
export class LoopStalls {
  static #process: LoopStalls | undefined;
  readonly #tickMs: number;
  readonly #toleranceMs: number;
  readonly #historyMs: number;
  /** Late spans, oldest first: [start, end] pairs, `performance.now()` ms. */
  readonly #spans: number[] = [];
  /** CPU-wait samples, oldest first: [at, the thread's total wait so far in ms] pairs. */
  readonly #waits: number[] = [];
  #lastTickAt: number;
  readonly #timer: NodeJS.Timeout;
  #schedstat: number | undefined;
  readonly #buffer = Buffer.alloc(128);

  constructor(options: LoopStallsOptions = {}) {
    this.#tickMs = options.tickMs ?? defaultLoopStallsOptions.tickMs;
    this.#toleranceMs = options.toleranceMs ?? defaultLoopStallsOptions.toleranceMs;
    this.#historyMs = options.historyMs ?? defaultLoopStallsOptions.historyMs;
    try {
      this.#schedstat = openSync('/proc/thread-self/schedstat', 'r');
    } catch {
      this.#schedstat = undefined; // Not Linux: lateness alone.
    }
    this.#lastTickAt = performance.now();
    this.#sampleWait(this.#lastTickAt);
    this.#timer = setInterval(() => this.#tick(performance.now()), this.#tickMs);
    this.#timer.unref();
  }

  /** The process's monitor, started on first use and kept for the process's life. */
  static process(): LoopStalls {
    LoopStalls.#process ??= new LoopStalls();
    return LoopStalls.#process;
  }

  /**
   * How long the loop was held between `fromMs` and `toMs` (`performance.now()` ms), a stall
   * still under way at `toMs` included (the caller may run before the sampling timer does).
   */
  heldMsBetween(fromMs: number, toMs: number): number {
    let late = 0;
    const spans = this.#spans;
    // Newest first: the spans before `fromMs` are not read.
    for (let i = spans.length - 2; i >= 0 && (spans[i + 1] as number) > fromMs; i -= 2) {
      late += overlap(spans[i] as number, spans[i + 1] as number, fromMs, toMs);
    }
    const ongoingFrom = this.#lastTickAt + this.#tickMs + this.#toleranceMs;
    if (toMs > ongoingFrom) late += overlap(ongoingFrom, toMs, fromMs, toMs);
    return Math.min(Math.max(late, this.#waitedMsSince(fromMs)), Math.max(0, toMs - fromMs));
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
    if (this.#schedstat !== undefined) closeSync(this.#schedstat);
    this.#schedstat = undefined;
  }

  #tick(now: number): void {
    const heldFrom = this.#lastTickAt + this.#tickMs + this.#toleranceMs;
    this.#lastTickAt = now;
    if (now > heldFrom) this.#spans.push(heldFrom, now);
    this.#sampleWait(now);
    const oldest = now - this.#historyMs;
    dropBefore(this.#spans, 1, oldest);
    dropBefore(this.#waits, 0, oldest);
  }

  /** The thread's CPU wait from the last sample at or before `fromMs` to the newest, ms. */
  #waitedMsSince(fromMs: number): number {
    const waits = this.#waits;
    if (waits.length < 4) return 0;
    let i = waits.length - 2;
    while (i > 0 && (waits[i] as number) > fromMs) i -= 2;
    return (waits[waits.length - 1] as number) - (waits[i + 1] as number);
  }

  /** Reads the thread's total run-queue wait (schedstat's second field, ns). */
  #sampleWait(now: number): void {
    if (this.#schedstat === undefined) return;
    try {
      const bytes = readSync(this.#schedstat, this.#buffer, 0, this.#buffer.length, 0);
      const waitNs = Number(this.#buffer.toString('latin1', 0, bytes).split(' ')[1]);
      if (Number.isFinite(waitNs)) this.#waits.push(now, waitNs / 1e6);
    } catch {
      this.#schedstat = undefined;
    }
  }
}

function overlap(start: number, end: number, fromMs: number, toMs: number): number {
  return Math.max(0, Math.min(end, toMs) - Math.max(start, fromMs));
}

/** Drops the leading pairs of `pairs` whose element `at` (0 or 1) is before `oldest`. */
function dropBefore(pairs: number[], at: 0 | 1, oldest: number): void {
  let drop = 0;
  while (drop + 2 < pairs.length && (pairs[drop + at] as number) < oldest) drop += 2;
  if (drop > 0) pairs.splice(0, drop);
}
