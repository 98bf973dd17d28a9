import { createLogger } from '@peerframe/core';
import type { OrchestratorMediaInfo } from '@peerframe/wire';
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
  readonly #spares: number;
  readonly #refillDelayMs: number;
  readonly #ready: Promise<MediaWorker | undefined>[] = [];
  #refillTimer: NodeJS.Timeout | undefined;
  readonly #log = createLogger('orchestrator:media-threads');
  #closed = false;

  constructor(engineInfo: OrchestratorMediaInfo, options: MediaWorkerPoolOptions = {}) {
    this.#engineInfo = engineInfo;
    this.#spares = Math.max(0, options.spares ?? 1);
    this.#refillDelayMs = options.refillDelayMs ?? 3000;
    this.#refill();
  }

  /** A started media thread for one session (a spare, else one started now). */
  async take(): Promise<MediaWorker> {
    const spare = this.#ready.shift();
    if (!this.#refillTimer) {
      this.#refillTimer = setTimeout(() => {
        this.#refillTimer = undefined;
        this.#refill();
      }, this.#refillDelayMs);
      this.#refillTimer.unref();
    }
    return (await spare) ?? MediaWorker.spawn(this.#engineInfo, { warmUp: true });
  }

  #refill(): void {
    while (!this.#closed && this.#ready.length < this.#spares) {
      this.#ready.push(
        MediaWorker.spawn(this.#engineInfo, { warmUp: true }).catch((error: unknown) => {
          this.#log.warn({ err: error }, 'a spare media thread did not start');
          return undefined;
        }),
      );
    }
  }

  /** Ends the spare threads (threads taken belong to their sessions). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#refillTimer);
    const spares = this.#ready.splice(0);
    await Promise.all(spares.map(async (spare) => (await spare)?.close()));
  }
}
