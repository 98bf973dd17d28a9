import { createLogger } from '@peerframe/core';
import type { OrchestratorMediaInfo } from '@peerframe/wire';
import { SparePool } from '../SparePool.ts';
import { MediaWorker } from './MediaWorker.ts';

export type MediaWorkerPoolOptions = {
  /** Media threads kept started ahead of the next session (default 1; 0 starts each on demand). */
  spares?: number;
  /**
   * How long after a session took a spare its replacement starts, ms (default 3000): loading
   * werift and FFmpeg takes a core for about a second, which the new session's first frames need.
   */
  refillDelayMs?: number;
};

/**
 * Media threads started ahead of need: a new thread loads werift and FFmpeg (~1 s on a busy
 * 2-core machine), makes its DTLS certificate and loads the codec libraries (`warmUpMediaThread`),
 * none of which a session's answer or first frame must wait for. `take()` hands out a started
 * thread and starts its replacement a little later; each thread serves one session and ends
 * with it.
 */
export class MediaWorkerPool {
  readonly #engineInfo: OrchestratorMediaInfo;
  readonly #pool: SparePool<MediaWorker>;

  constructor(engineInfo: OrchestratorMediaInfo, options: MediaWorkerPoolOptions = {}) {
    this.#engineInfo = engineInfo;
    this.#pool = new SparePool({
      spares: options.spares ?? 1,
      refillDelayMs: options.refillDelayMs ?? 3000,
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

  #spawn(): Promise<MediaWorker> {
    return MediaWorker.spawn(this.#engineInfo, { warmUp: true });
  }

  /** Ends the spare threads (threads taken belong to their sessions). Idempotent. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
