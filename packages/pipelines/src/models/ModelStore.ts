import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createLogger, type Logger } from '@peerframe/core';
import { ModelDownloadError, ModelHashMismatchError } from './errors.ts';
import { readVerifiedFile } from './ModelFile.ts';

export type ModelStoreOptions = {
  /** Longest a download may take, ms. Default 10 minutes. */
  downloadTimeoutMs?: number;
  /** Largest model accepted, bytes. Default 8 GiB. */
  maxBytes?: number;
  logger?: Logger;
};

export const defaultModelStoreOptions = {
  downloadTimeoutMs: 10 * 60_000,
  maxBytes: 8 * 1024 ** 3,
} as const;

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Model files by content: `<dir>/sha256-<hex>`, one file per distinct model whatever package or URL
 * it came from. `fetch()` downloads a URL into it (streamed, hashed on the way, refused unless the
 * hash is the one asked for, renamed into place only then), so a model is fetched once, at install
 * time; a pipeline that runs only ever reads `path()` and checks the hash again.
 */
export class ModelStore {
  readonly dir: string;
  readonly #options: Required<Omit<ModelStoreOptions, 'logger'>>;
  readonly #logger: Logger;

  constructor(dir: string = ModelStore.defaultDir(), options: ModelStoreOptions = {}) {
    this.dir = dir;
    this.#options = {
      downloadTimeoutMs: options.downloadTimeoutMs ?? defaultModelStoreOptions.downloadTimeoutMs,
      maxBytes: options.maxBytes ?? defaultModelStoreOptions.maxBytes,
    };
    this.#logger = (options.logger ?? createLogger('pipelines')).child({ name: 'model-store' });
  }

  /** `$PEERFRAME_MODEL_CACHE`, else `~/.peerframe/models`. */
  static defaultDir(): string {
    return process.env.PEERFRAME_MODEL_CACHE ?? join(homedir(), '.peerframe', 'models');
  }

  /** Where the model with this sha256 is (whether or not it is there). */
  path(sha256: string): string {
    if (!sha256Pattern.test(sha256)) throw new TypeError(`Invalid sha256 "${sha256}"`);
    return join(this.dir, `sha256-${sha256}`);
  }

  /** Whether the model is in the store (its bytes are checked when it is read). */
  async has(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      (info) => info.isFile(),
      () => false,
    );
  }

  /**
   * The model with `sha256`, downloaded from `url` unless the store has it with those bytes
   * already. Refused, keeping nothing: a download that fails, times out, exceeds `maxBytes`
   * (`ModelDownloadError`) or whose bytes have another hash (`ModelHashMismatchError`). Returns
   * its path.
   */
  async fetch(url: string, sha256: string): Promise<string> {
    const path = this.path(sha256);
    if (await this.has(sha256)) {
      try {
        await readVerifiedFile(path, sha256);
        return path;
      } catch {
        this.#logger.warn({ path }, 'model in the store is corrupt: fetching it again');
      }
    }
    await mkdir(this.dir, { recursive: true });
    const temporary = `${path}.${randomUUID()}.part`;
    const started = performance.now();
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.#options.downloadTimeoutMs),
      }).catch((cause: unknown) => {
        throw new ModelDownloadError(url, String(cause), { cause });
      });
      if (!response.ok || response.body === null) {
        throw new ModelDownloadError(url, `HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > this.#options.maxBytes) {
        throw new ModelDownloadError(url, `${declared} bytes is over ${this.#options.maxBytes}`);
      }
      const hash = createHash('sha256');
      let bytes = 0;
      const maxBytes = this.#options.maxBytes;
      const file = createWriteStream(temporary);
      const counter = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          bytes += chunk.byteLength;
          if (bytes > maxBytes) {
            callback(new ModelDownloadError(url, `more than ${maxBytes} bytes`));
            return;
          }
          hash.update(chunk);
          file.write(chunk, callback);
        },
        final(callback) {
          file.end(callback);
        },
      });
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), counter).catch(
        (cause: unknown) => {
          file.destroy();
          throw cause instanceof ModelDownloadError
            ? cause
            : new ModelDownloadError(url, String(cause), { cause });
        },
      );
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new ModelHashMismatchError(url, sha256, actual);
      await rename(temporary, path);
      this.#logger.info(
        { url, sha256, bytes, ms: Math.round(performance.now() - started) },
        'model fetched into the store',
      );
      return path;
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
