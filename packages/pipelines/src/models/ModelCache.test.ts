import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidModelCacheKeyError } from './errors.ts';
import { ModelCache, sha256Hex } from './ModelCache.ts';

describe('ModelCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'peerframe-model-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores and returns bytes by key, with their sha256 beside them', async () => {
    const cache = new ModelCache(join(dir, 'nested'));
    expect(await cache.get('abc-nhwc')).toBeUndefined();
    await cache.put('abc-nhwc', Uint8Array.of(1, 2, 3));
    expect(Array.from((await cache.get('abc-nhwc')) ?? [])).toEqual([1, 2, 3]);
    expect((await readdir(join(dir, 'nested'))).sort()).toEqual([
      'abc-nhwc.onnx',
      'abc-nhwc.onnx.sha256',
    ]);
    expect(sha256Hex(Uint8Array.of(1, 2, 3))).toBe(
      '039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81',
    );
  });

  it('treats an entry whose bytes no longer match their hash as missing', async () => {
    const cache = new ModelCache(dir);
    await cache.put('key', Uint8Array.of(1, 2, 3));
    await writeFile(cache.path('key'), Uint8Array.of(1, 2));
    expect(await cache.get('key')).toBeUndefined();
  });

  it('refuses keys that are not plain file names', () => {
    const cache = new ModelCache(dir);
    expect(() => cache.path('../evil')).toThrow(InvalidModelCacheKeyError);
    expect(() => cache.path('')).toThrow('Invalid model cache key ""');
  });

  it('defaults to node_modules/.cache/peerframe-models beside the model packages', () => {
    expect(
      ModelCache.defaultDir().endsWith(['node_modules', '.cache', 'peerframe-models'].join(sep)),
    ).toBe(true);
  });
});
