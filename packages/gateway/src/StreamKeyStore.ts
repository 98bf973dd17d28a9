import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

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

const keyPrefix = 'pf_sk_';

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * Stream keys, kept in memory as SHA-256 digests (a key is shown once, at creation) and compared
 * in constant time.
 */
export class StreamKeyStore {
  readonly #records = new Map<string, { record: StreamKeyRecord; digest: Buffer }>();

  /** Makes a new key; the returned `key` is the only time it is seen in clear. */
  create(options: CreateStreamKeyOptions = {}): { key: string; record: StreamKeyRecord } {
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
    this.#records.set(record.id, { record, digest: digest(key) });
    return { key, record };
  }

  /** The record of a key, revoked or not; undefined for a key never issued. */
  find(key: string): StreamKeyRecord | undefined {
    if (!key.startsWith(keyPrefix)) return undefined;
    const wanted = digest(key);
    let found: StreamKeyRecord | undefined;
    // Compare against every digest so the time taken says nothing about which key matched.
    for (const { record, digest: known } of this.#records.values()) {
      if (timingSafeEqual(known, wanted)) found = record;
    }
    return found;
  }

  /** Revokes a key; returns its record, or undefined for an unknown id. */
  revoke(id: string): StreamKeyRecord | undefined {
    const entry = this.#records.get(id);
    if (!entry) return undefined;
    entry.record.revokedAt ??= new Date().toISOString();
    return entry.record;
  }

  list(): StreamKeyRecord[] {
    return [...this.#records.values()].map(({ record }) => record);
  }
}
