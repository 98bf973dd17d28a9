import { describe, expect, it } from 'vitest';
import { PendingPeers } from './PendingPeers.ts';

describe('PendingPeers', () => {
  it('holds at most the maximum per client and kind, and releases once', () => {
    const pending = new PendingPeers({ maxPerClient: 2, retryAfterMs: 3_000 });
    const first = pending.take('127.0.0.2', 'publisher');
    pending.take('127.0.0.2', 'publisher');
    expect(() => pending.take('127.0.0.2', 'publisher')).toThrow(
      expect.objectContaining({ status: 429, code: 'too_many_pending', details: '3' }),
    );
    // Other clients and the other kind are counted apart.
    pending.take('127.0.0.3', 'publisher');
    pending.take('127.0.0.2', 'viewer');
    first();
    first();
    expect(pending.count('127.0.0.2', 'publisher')).toBe(1);
    pending.take('127.0.0.2', 'publisher');
    expect(pending.count('127.0.0.2', 'publisher')).toBe(2);
  });
});
