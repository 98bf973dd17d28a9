import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamKeyStore } from './StreamKeyStore.ts';

describe('StreamKeyStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a key by its clear value, never stores it, and revokes it', () => {
    const store = StreamKeyStore.open();
    const { key, record } = store.create({
      name: 'studio',
      allowedPipelines: ['invert'],
      maxPriceWeiPerSecond: 10n ** 20n,
      maxStreams: 2,
    });
    expect(key).toMatch(/^pf_sk_[A-Za-z0-9_-]{32}$/);
    expect(
      JSON.stringify(store.list(), (_k, v) => (typeof v === 'bigint' ? `${v}` : v)),
    ).not.toContain(key.slice(6));
    expect(store.find(key)).toEqual(record);
    expect(store.find(`${key}x`)).toBeUndefined();
    expect(store.find('not-a-key')).toBeUndefined();
    expect(store.revoke(record.id)?.revokedAt).toEqual(expect.any(String));
    expect(store.find(key)?.revokedAt).toEqual(expect.any(String));
    expect(store.get(record.id)?.revokedAt).toEqual(expect.any(String));
    expect(store.revoke('nope')).toBeUndefined();
    store.close();
  });

  it('issues distinct keys', () => {
    const store = StreamKeyStore.open();
    const keys = new Set(Array.from({ length: 100 }, () => store.create().key));
    expect(keys.size).toBe(100);
    store.close();
  });

  it('keeps keys and revocations in an owner-only file, as digests only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerframe-keys-'));
    dirs.push(dir);
    const path = join(dir, 'keys.sqlite');
    const store = StreamKeyStore.open({ path });
    const kept = store.create({ name: 'kept', maxStreams: 5 });
    const revoked = store.create({ name: 'revoked' });
    store.revoke(revoked.record.id);
    store.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(path);
    expect(bytes.includes(kept.key)).toBe(false);
    expect(bytes.includes(kept.key.slice(6))).toBe(false);

    const reopened = StreamKeyStore.open({ path });
    expect(reopened.find(kept.key)).toEqual(kept.record);
    expect(reopened.find(revoked.key)?.revokedAt).toEqual(expect.any(String));
    expect(reopened.list().map((k) => k.name)).toEqual(['kept', 'revoked']);
    reopened.close();
    expect(() => reopened.list()).toThrow(/closed/);
  });
});
