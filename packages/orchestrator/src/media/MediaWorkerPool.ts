import { createLogger } from '@peerframe/core';
import type { OrchestratorMediaInfo } from '@peerframe/wire';
import { SparePool } from '../SparePool.ts';
import { MediaWorker } from './MediaWorker.ts';

export type MediaWorkerPoolOptions = {
  /**
   * Media threads kept started ahead of the next sessions (default 2, so that a second session
   * arriving before the first one's replacement has started finds one too; 0 starts each on
   * demand). Each idle one holds about 50 MB of memory (RSS) and no CPU; starting one takes
   * about 0.4 s of CPU.
   */
  spares?: number;
  /**
   * How long after a session took a spare its replacement starts, ms (default 1000): loading
   * werift and FFmpeg takes a core for about a second, which the new session's first frame (some
   * 100–300 ms after its offer) needs first.
   */
  refillDelayMs?: number;
};

/**
 * Media threads started ahead of need: a new thread loads werift and FFmpeg (~1 s on a busy
 * 2-core machine), makes its DTLS certificate, loads the codec libraries and connects two peers
 * of its own once (`warmUpMediaThread`), none of which a session's answer or first frame must wait
 * for. `ready()` starts the spares (a node calls it before it says it is ready); `take()` hands
 * out a started thread and starts its replacement a little later; each thread serves one session
 * and ends with it.
 */
export class MediaWorkerPool {
  readonly #engineInfo: OrchestratorMediaInfo;
  readonly #pool: SparePool<MediaWorker>;

  constructor(engineInfo: OrchestratorMediaInfo, options: MediaWorkerPoolOptions = {}) {
    this.#engineInfo = engineInfo;
    this.#pool = new SparePool({
      spares: options.spares ?? 2,
      refillDelayMs: options.refillDelayMs ?? 1000,
      // Started by `ready()` (the CLI's nodes call it at start) or the first `take()`: tests and
      // nodes that run no session start none.
      startOnFirstTake: true,
      start: () => this.#spawn(),
      end: (spare) => spare.close(),
      log: createLogger('orchestrator:media-threads'),
      what: 'media thread',
    });
  }

  /** A started media thread for one session (a spare, else one started now). */
  take(): Promise<MediaWorker> {
    return this.#pool.take(() => this.#spawn());
  }

  /**
   * Starts the spares (the first ones, or a replacement still waiting) and resolves once every one
   * has started: a session arriving then waits for no thread.
   */
  ready(): Promise<void> {
    return this.#pool.fill();
  }

  /** Spare threads, started or starting (a session takes one; its replacement comes later). */
  get spares(): number {
    return this.#pool.size;
  }

  #spawn(): Promise<MediaWorker> {
    return MediaWorker.spawn(this.#engineInfo, { warmUp: true });
  }

  /** Ends the spare threads (threads taken belong to their sessions). Idempotent. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
