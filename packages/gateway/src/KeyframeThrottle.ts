/**
 * Keyframe requests to one source, at most one every `intervalMs`. A request within the interval
 * is not dropped: it goes out at the interval's end (one for however many came). The keyframe
 * asked for last may already have passed before the new requester could use it: a viewer whose
 * leg was still connecting, or a relay on another gateway whose viewer's consumer (mediasoup)
 * waits for a keyframe that left before it existed. Dropped, such a request left that viewer
 * without a picture until its SFU asked again (mediasoup: 1 s later).
 */
export class KeyframeThrottle {
  readonly #send: () => void;
  readonly #intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #pending: NodeJS.Timeout | undefined;

  /** `send` asks the source; `intervalMs`: shortest time between two requests sent, ms. */
  constructor(send: () => void, intervalMs: number) {
    this.#send = send;
    this.#intervalMs = intervalMs;
  }

  /**
   * Asks now, or at the end of the interval (`force`: now, even within it, and the request
   * waiting for its end is dropped). The timer does not hold the process open.
   */
  request(options?: { force?: boolean }): void {
    const waitMs = this.#lastAt + this.#intervalMs - performance.now();
    if (options?.force !== true && waitMs > 0) {
      this.#pending ??= setTimeout(() => {
        this.#pending = undefined;
        // The interval is over (a timer may fire a fraction of a millisecond early).
        this.request({ force: true });
      }, waitMs).unref();
      return;
    }
    clearTimeout(this.#pending);
    this.#pending = undefined;
    this.#lastAt = performance.now();
    this.#send();
  }

  /** Drops the request waiting for the interval's end, if any (the source is going away). */
  cancel(): void {
    clearTimeout(this.#pending);
    this.#pending = undefined;
  }
}
