/**
 * Token buckets by key (client address and route class): `capacity` requests at once, refilled
 * at `capacity / windowMs`. Old buckets are dropped so the map stays bounded.
 */
export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor({ capacity, windowMs }: { capacity: number; windowMs: number }) {
    if (!(capacity >= 1) || !(windowMs > 0))
      throw new RangeError('RateLimiter needs capacity ≥ 1 and windowMs > 0');
    this.#capacity = capacity;
    this.#refillPerMs = capacity / windowMs;
  }

  /** Takes one token for `key`: 0 when allowed, otherwise the ms until a token is back. */
  take(key: string, now = performance.now()): number {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#refillPerMs);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 10_000) this.#prune(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#refillPerMs);
  }

  #prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * this.#refillPerMs >= this.#capacity)
        this.#buckets.delete(key);
    }
  }
}
