/**
 * A bounded queue between the decoder and the pipeline where the latest frame wins: pushing into
 * a full queue drops the oldest item (counted), so a slow consumer never builds latency. A push
 * marked as a burst (the item arrived right behind the newest waiting one: see `push`) keeps
 * that one too, up to two waiting.
 */
export class LatestFrameQueue<T> {
  readonly capacity: number;
  #items: T[] = [];
  #waiter: ((item: T | undefined) => void) | undefined;
  #closed = false;
  /** Items dropped because a newer one arrived before they were taken. */
  dropped = 0;

  constructor(capacity = 1) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 2) {
      throw new RangeError(`LatestFrameQueue capacity must be 1 or 2, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The newest item waiting, if any. */
  get newest(): T | undefined {
    return this.#items.at(-1);
  }

  /**
   * Adds an item, dropping the oldest waiting ones (counted) beyond the capacity. `burst`: this
   * item came right behind the newest waiting one (two frames decoded together after a stall
   * upstream, not a consumer too slow for the frame rate), so that one is not stale: it stays
   * too, with a capacity of 1 as well (never more than two wait).
   */
  push(item: T, burst = false): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(item);
      return;
    }
    const room = burst ? 2 : this.capacity;
    while (this.#items.length >= room) {
      this.#items.shift();
      this.dropped++;
    }
    this.#items.push(item);
  }

  /** The next item if one waits, else `undefined` (never waits). */
  poll(): T | undefined {
    return this.#items.shift();
  }

  /** The next item, waiting for one if empty; `undefined` once closed. */
  take(): Promise<T | undefined> {
    const item = this.#items.shift();
    if (item !== undefined || this.#closed) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  close(): void {
    this.#closed = true;
    this.#items = [];
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
  }
}
