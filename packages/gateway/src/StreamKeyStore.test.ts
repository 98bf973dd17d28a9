import { describe, expect, it } from 'vitest';
import { StreamKeyStore } from './StreamKeyStore.ts';

describe('StreamKeyStore', () => {
  it('finds a key by its clear value, never stores it, and revokes it', () => {
    const store = new StreamKeyStore();
    const { key, record } = store.create({
      name: 'studio',
      allowedPipelines: ['invert'],
      maxStreams: 2,
    });
    expect(key).toMatch(/^pf_sk_[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(store.list())).not.toContain(key.slice(6));
    expect(store.find(key)).toEqual(record);
    expect(store.find(`${key}x`)).toBeUndefined();
    expect(store.find('not-a-key')).toBeUndefined();
    expect(store.revoke(record.id)?.revokedAt).toEqual(expect.any(String));
    expect(store.find(key)?.revokedAt).toEqual(expect.any(String));
    expect(store.revoke('nope')).toBeUndefined();
  });

  it('issues distinct keys', () => {
    const store = new StreamKeyStore();
    const keys = new Set(Array.from({ length: 100 }, () => store.create().key));
    expect(keys.size).toBe(100);
  });
});
