/**
 * A bounded queue between the decoder and the pipeline where the latest frame wins: pushing into
 * a full queue drops the oldest item (counted), so a slow consumer never builds latency.
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

  push(item: T): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(item);
      return;
    }
    if (this.#items.length >= this.capacity) {
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
