import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { BaseError } from '@peerframe/core';
import { openSqlite } from '@peerframe/core/sqlite';

/** What a stream key allows. */
export type StreamKeyRecord = {
  id: string;
  name: string;
  /** Pipelines a stream with this key may run (empty: any). */
  allowedPipelines: string[];
  /** Highest orchestrator price the stream may pay, wei per second (undefined: the gateway's default). */
  maxPriceWeiPerSecond: bigint | undefined;
  /** Streams this key may have live at once. */
  maxStreams: number;
  createdAt: string;
  revokedAt: string | undefined;
};

export type CreateStreamKeyOptions = {
  name?: string;
  allowedPipelines?: string[];
  maxPriceWeiPerSecond?: bigint;
  maxStreams?: number;
};

export type StreamKeyStoreOptions = {
  /**
   * The sqlite file keys are kept in (created with mode 0600; only SHA-256 digests of the keys
   * are written), or `:memory:` for keys that end with the process (default `:memory:`).
   */
  path: string;
};

export const defaultStreamKeyStoreOptions: StreamKeyStoreOptions = { path: ':memory:' };

/** The key store could not be opened or written. */
export class StreamKeyStoreError extends BaseError {
  override name = 'StreamKeyStoreError';
  constructor(details: string, cause?: unknown) {
    super('stream_key_store', 'The stream key store failed', { details, cause });
  }
}

const keyPrefix = 'pf_sk_';

const schema = `
CREATE TABLE IF NOT EXISTS stream_keys (
  id TEXT PRIMARY KEY,
  key_sha256 BLOB NOT NULL UNIQUE,
  name TEXT NOT NULL,
  allowed_pipelines TEXT NOT NULL,
  max_price_wei_per_second TEXT,
  max_streams INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
`;

type Row = {
  id: string;
  name: string;
  allowed_pipelines: string;
  max_price_wei_per_second: string | null;
  max_streams: number;
  created_at: string;
  revoked_at: string | null;
};

/** The SHA-256 digest a key is kept and looked up by (never the key itself). */
export function streamKeyDigest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** A key that can be a stream key (the prefix every issued key has). */
export function looksLikeStreamKey(key: string): boolean {
  return key.startsWith(keyPrefix);
}

/** A new key (192 random bits) and its record; the key is shown once, to whoever made it. */
export function newStreamKey(options: CreateStreamKeyOptions = {}): {
  key: string;
  record: StreamKeyRecord;
} {
  const key = `${keyPrefix}${randomBytes(24).toString('base64url')}`;
  const record: StreamKeyRecord = {
    id: randomUUID(),
    name: options.name ?? '',
    allowedPipelines: options.allowedPipelines ?? [],
    maxPriceWeiPerSecond: options.maxPriceWeiPerSecond,
    maxStreams: options.maxStreams ?? 3,
    createdAt: new Date().toISOString(),
    revokedAt: undefined,
  };
  return { key, record };
}

/**
 * Stream keys in sqlite (owner-only, synchronous FULL: a revocation survives a crash), each
 * kept as the SHA-256 digest of the key: a key is shown once, at creation, and a copy of the file
 * gives nobody a key. Keys are 192 random bits, so a plain digest looked up by index is enough
 * (no guessing can find a preimage).
 */
export class StreamKeyStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  #closed = false;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  static open(options: StreamKeyStoreOptions = defaultStreamKeyStoreOptions): StreamKeyStore {
    const { path } = options;
    try {
      return new StreamKeyStore(path, openSqlite({ path, schema }));
    } catch (error) {
      throw new StreamKeyStoreError(`cannot open ${path}: ${String(error)}`, error);
    }
  }

  /** Makes a new key; the returned `key` is the only time it is seen in clear. */
  create(options: CreateStreamKeyOptions = {}): { key: string; record: StreamKeyRecord } {
    this.#assertOpen();
    const { key, record } = newStreamKey(options);
    this.#db
      .prepare(
        `INSERT INTO stream_keys (id, key_sha256, name, allowed_pipelines,
           max_price_wei_per_second, max_streams, created_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(
        record.id,
        streamKeyDigest(key),
        record.name,
        JSON.stringify(record.allowedPipelines),
        record.maxPriceWeiPerSecond?.toString() ?? null,
        record.maxStreams,
        record.createdAt,
      );
    return { key, record };
  }

  /** The record of a key, revoked or not; undefined for a key never issued. */
  find(key: string): StreamKeyRecord | undefined {
    this.#assertOpen();
    if (!looksLikeStreamKey(key)) return undefined;
    const row = this.#db
      .prepare('SELECT * FROM stream_keys WHERE key_sha256 = ?')
      .get(streamKeyDigest(key));
    return row ? fromRow(row as Row) : undefined;
  }

  /** A key's record by id, as it is now (revoked or not); undefined for an unknown id. */
  get(id: string): StreamKeyRecord | undefined {
    this.#assertOpen();
    const row = this.#db.prepare('SELECT * FROM stream_keys WHERE id = ?').get(id);
    return row ? fromRow(row as Row) : undefined;
  }

  /** Revokes a key (for good: it stays revoked across restarts); undefined for an unknown id. */
  revoke(id: string): StreamKeyRecord | undefined {
    this.#assertOpen();
    this.#db
      .prepare('UPDATE stream_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), id);
    return this.get(id);
  }

  list(): StreamKeyRecord[] {
    this.#assertOpen();
    const rows = this.#db.prepare('SELECT * FROM stream_keys ORDER BY rowid').all();
    return (rows as Row[]).map(fromRow);
  }

  /** Closes the file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new StreamKeyStoreError(`${this.path} is closed`);
  }
}

function fromRow(row: Row): StreamKeyRecord {
  return {
    id: row.id,
    name: row.name,
    allowedPipelines: JSON.parse(row.allowed_pipelines) as string[],
    maxPriceWeiPerSecond:
      row.max_price_wei_per_second === null ? undefined : BigInt(row.max_price_wei_per_second),
    maxStreams: Number(row.max_streams),
    createdAt: row.created_at,
    revokedAt: row.revoked_at ?? undefined,
  };
}
