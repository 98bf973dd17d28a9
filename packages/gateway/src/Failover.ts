import { BaseError, HttpError } from '@peerframe/core';
import type { LoopStalls } from './LoopStalls.ts';
import type { Upstream } from './Upstream.ts';

/** A pause this long in the packets forwarded to the orchestrator is a gap in its input. */
const feedGapMs = 300;
/** After a gap in its input, the orchestrator gets this long (a keyframe round trip) before silence counts. */
const resumeGraceMs = 1000;
/**
 * Silence that moves a stream whose orchestrator is known to be gone (`Upstream.gone`), ms: a few
 * frame intervals, so that a processed frame already on its way is not thrown away.
 */
const goneStallMs = 100;

export type FailoverOptions = {
  /** No processed packet for this long while the orchestrator is fed means it is lost, ms (default 400). */
  stallTimeoutMs?: number | undefined;
  /** A new orchestrator gets this long for its first processed packet, ms (default 3000). */
  firstPacketTimeoutMs?: number | undefined;
  /** At most this many orchestrator swaps within `swapWindowMs` (default 5, in 5 minutes). */
  maxSwaps?: number | undefined;
  swapWindowMs?: number | undefined;
  /**
   * The gateway's own event loop (`LoopStalls.process()` in a gateway; default none: all silence
   * counts). Time the loop was held (starved of CPU) does not count as the orchestrator's silence:
   * its packets waited unread in the socket meanwhile.
   */
  loopStalls?: Pick<LoopStalls, 'heldMsBetween'> | undefined;
};

/**
 * An orchestrator that returned no processed media for `silentMs` although fed. `gatewayHeldMs`:
 * how much of that time the gateway's own loop was held (starved of CPU), when it was measured:
 * an orchestrator silent mostly while the gateway itself was stalled is not to blame.
 */
export class OrchestratorStalledError extends BaseError {
  override name = 'OrchestratorStalledError';
  readonly silentMs: number;
  readonly gatewayHeldMs: number;

  constructor(shortMessage: string, silentMs: number, gatewayHeldMs = 0) {
    super('orchestrator_stalled', shortMessage, { retryable: true });
    this.silentMs = silentMs;
    this.gatewayHeldMs = gatewayHeldMs;
  }

  /** Whether the gateway's own loop was held for at least half of the silence. */
  get gatewayStalled(): boolean {
    return this.gatewayHeldMs * 2 >= this.silentMs;
  }
}

/**
 * When a stream leaves its orchestrator, and for which: detects an orchestrator that stopped
 * returning video (audio, for an audio-only stream) although it is fed, counts the swaps (too many in a window end the stream),
 * and finds the next orchestrator, preferring those that have not failed the stream.
 */
export class Failover {
  readonly #options: FailoverOptions;
  /** What the orchestrator returns and is watched on: video, or audio for an audio-only stream. */
  readonly #media: 'video' | 'audio';
  /** When a packet was last forwarded to the orchestrator, and when forwarding resumed after a gap. */
  #lastFedAt = 0;
  #feedResumedAt = 0;
  #busy = false;
  readonly #swapTimes: number[] = [];
  readonly #failed = new Set<string>();

  constructor(options: FailoverOptions, media: 'video' | 'audio' = 'video') {
    this.#options = options;
    this.#media = media;
  }

  /** Orchestrator swaps so far. */
  get swaps(): number {
    return this.#swapTimes.length;
  }

  /** A failover is under way. */
  get busy(): boolean {
    return this.#busy;
  }

  /** A packet went to the orchestrator now (`performance.now()`). */
  fed(now: number): void {
    if (now - this.#lastFedAt > feedGapMs) this.#feedResumedAt = now;
    this.#lastFedAt = now;
  }

  /**
   * Why `upstream` counts as lost now, or undefined. Output is expected only while packets go
   * to it, and after a gap in its input (publisher loss, faults) it gets time for the keyframe
   * round trip before silence counts. An orchestrator known to be gone (`Upstream.gone`) gets
   * a few frame intervals only. Otherwise silence counts only while the gateway's own loop ran
   * (`loopStalls`): a gateway starved of CPU reads its sockets late, and the orchestrator's
   * packets waiting there are not its fault.
   */
  stalled(upstream: Upstream, now: number): OrchestratorStalledError | undefined {
    if (this.#busy || now - this.#lastFedAt > feedGapMs) return undefined;
    const lastHeardAt = upstream.lastPacketAt ?? upstream.createdAt;
    const silentMs = now - lastHeardAt;
    const fedMs = now - Math.max(this.#feedResumedAt, upstream.createdAt);
    if (upstream.gone !== undefined && silentMs > goneStallMs && fedMs > goneStallMs) {
      return new OrchestratorStalledError(
        `${upstream.gone}, no processed ${this.#media} for ${Math.round(silentMs)} ms`,
        silentMs,
      );
    }
    const heldMs = this.#options.loopStalls?.heldMsBetween(lastHeardAt, now) ?? 0;
    const runningSilentMs = silentMs - heldMs;
    const limitMs =
      upstream.lastPacketAt === undefined
        ? (this.#options.firstPacketTimeoutMs ?? 3000)
        : (this.#options.stallTimeoutMs ?? 400);
    if (runningSilentMs > limitMs && fedMs > Math.max(limitMs, resumeGraceMs)) {
      const held =
        heldMs >= 1 ? ` (${Math.round(heldMs)} ms of it the gateway's loop was held)` : '';
      return new OrchestratorStalledError(
        `no processed ${this.#media} for ${Math.round(silentMs)} ms${held}`,
        silentMs,
        heldMs,
      );
    }
    return undefined;
  }

  /**
   * Starts a failover away from `url`: returns false when one is already under way, or, when
   * this swap is one too many within the window, the message the stream ends with.
   */
  begin(url: string): boolean | { tooMany: string } {
    if (this.#busy) return false;
    this.#busy = true;
    this.#failed.add(url);
    const now = performance.now();
    const windowMs = this.#options.swapWindowMs ?? 5 * 60_000;
    this.#swapTimes.push(now);
    const recent = this.#swapTimes.filter((t) => now - t <= windowMs).length;
    if (recent > (this.#options.maxSwaps ?? 5)) {
      this.#busy = false;
      return {
        tooMany: `${recent} orchestrator failures within ${Math.round(windowMs / 1000)} s`,
      };
    }
    return true;
  }

  /**
   * Holds the stream for a hand-over between the orchestrator's workers: like a failover under
   * way (no stall counts, no second failover starts) but no failure of the orchestrator and no
   * swap. False when a failover or hand-over is under way already: that one acts alone.
   */
  hold(): boolean {
    if (this.#busy) return false;
    this.#busy = true;
    return true;
  }

  /**
   * The next orchestrator: one that has not failed this stream if any will take it, else any (a
   * failed one that answers again, only stalled before, beats ending the stream).
   */
  replacement(connect: (exclude: Set<string>) => Promise<Upstream>): Promise<Upstream> {
    return connect(this.#failed).catch((error: unknown) => {
      if (!(error instanceof HttpError && error.code === 'no_orchestrator')) throw error;
      return connect(new Set());
    });
  }

  /** The failover or hand-over finished (moved or failed). */
  end(): void {
    this.#busy = false;
  }
}
