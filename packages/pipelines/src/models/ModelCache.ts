import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InvalidModelCacheKeyError } from './errors.ts';

/** Hex sha256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Converted models on disk, by key (`<sha256 of the source model>-<variant>`): `<key>.onnx` with
 * a `<key>.onnx.sha256` beside it. An entry whose bytes no longer match its hash (a torn write,
 * a hand edit) counts as missing and is rebuilt. Writes go to a temporary file first and are
 * renamed into place, so concurrent processes never read half a model.
 */
export class ModelCache {
  readonly dir: string;

  constructor(dir: string = ModelCache.defaultDir()) {
    this.dir = dir;
  }

  /**
   * `node_modules/.cache/peerframe-models` in the `node_modules` that holds the model packages
   * (the repository root's, where npm workspaces hoist them), like other tools' caches.
   */
  static defaultDir(): string {
    const require = createRequire(import.meta.url);
    let nodeModules: string;
    try {
      // …/node_modules/@mediapipe/selfie_segmentation/package.json → …/node_modules
      const manifest = require.resolve('@mediapipe/selfie_segmentation/package.json');
      nodeModules = dirname(dirname(dirname(manifest)));
    } catch {
      nodeModules = join(process.cwd(), 'node_modules');
    }
    return join(nodeModules, '.cache', 'peerframe-models');
  }

  path(key: string): string {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(key)) throw new InvalidModelCacheKeyError(key);
    return join(this.dir, `${key}.onnx`);
  }

  /** The cached bytes, or undefined when absent or corrupt. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.path(key);
    try {
      const [bytes, expected] = await Promise.all([
        readFile(path),
        readFile(`${path}.sha256`, 'utf8'),
      ]);
      if (sha256Hex(bytes) !== expected.trim()) return undefined;
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch {
      return undefined;
    }
  }

  /** Stores `bytes` under `key`, atomically. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, path);
      await writeFile(`${temporary}.sha256`, `${sha256Hex(bytes)}\n`);
      await rename(`${temporary}.sha256`, `${path}.sha256`);
    } finally {
      await rm(temporary, { force: true });
      await rm(`${temporary}.sha256`, { force: true });
    }
  }
}
