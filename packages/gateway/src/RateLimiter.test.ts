import { describe, expect, it } from 'vitest';
import { RateLimiter } from './RateLimiter.ts';

describe('RateLimiter', () => {
  it('allows a burst of capacity, then refuses with the wait, then refills', () => {
    const limiter = new RateLimiter({ capacity: 3, windowMs: 3000 });
    expect([0, 0, 0].map(() => limiter.take('a', 0))).toEqual([0, 0, 0]);
    expect(limiter.take('a', 0)).toBe(1000);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 1000)).toBe(0);
    expect(limiter.take('a', 1000)).toBeGreaterThan(0);
    expect(limiter.take('a', 10_000)).toBe(0);
  });

  it('rejects a limit that could never allow anything', () => {
    expect(() => new RateLimiter({ capacity: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});
