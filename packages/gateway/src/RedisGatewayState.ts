import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@peerframe/core';
import { Redis } from 'ioredis';
import {
  type GatewayState,
  GatewayStateUnavailableError,
  type SharedStream,
} from './GatewayState.ts';
import type { RedisMetrics } from './RedisMetrics.ts';
import {
  type CreateStreamKeyOptions,
  looksLikeStreamKey,
  newStreamKey,
  type StreamKeyRecord,
  streamKeyDigest,
} from './StreamKeyStore.ts';

export type RedisGatewayStateOptions = {
  /** `redis://[:password@]host:port[/db]`. */
  url: string;
  /** Prefix of every Redis key this state writes (default `peerframe:`). */
  keyPrefix?: string;
  /**
   * A live stream's entries expire this long after its gateway last wrote them, ms (default
   * 30 000): gateways refresh theirs every third of it, so a gateway that dies leaves its streams
   * (and the key slots they held) behind for at most this long.
   */
  streamTtlMs?: number;
  /** A command not answered within this is given up on (HTTP 503), ms (default 2 000). */
  commandTimeoutMs?: number;
  /** Called when Redis answers again after an outage (the gateway writes its streams again). */
  onReachable?: () => void;
  /** Where the connection's state and each call's latency and failure are counted (default none). */
  metrics?: RedisMetrics;
};

export const defaultRedisGatewayStateOptions = {
  keyPrefix: 'peerframe:',
  streamTtlMs: 30_000,
  commandTimeoutMs: 2_000,
} as const;

/** Takes a slot of a key when its live streams and slots are fewer than its maximum. */
const reserveSlotScript = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type StoredKey = Omit<StreamKeyRecord, 'maxPriceWeiPerSecond'> & {
  maxPriceWeiPerSecond: string | undefined;
};

/**
 * The state of several gateways in one Redis: stream keys (SHA-256 digests only, as in sqlite),
 * live streams with the gateway holding each and their playback ids, and each key's streams
 * (a sorted set scored by expiry, so a key's count heals when a gateway dies). Commands never
 * queue while Redis is away: they fail at once with `GatewayStateUnavailableError` (503), and
 * the client reconnects on its own.
 */
export class RedisGatewayState implements GatewayState {
  readonly kind = 'redis';
  readonly where: string;
  readonly streamTtlMs: number;
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #log: Logger = createLogger('gateway:state');
  readonly #metrics: RedisMetrics | undefined;
  #closed = false;

  private constructor(redis: Redis, where: string, options: RedisGatewayStateOptions) {
    this.#redis = redis;
    this.#metrics = options.metrics;
    this.where = where;
    this.#prefix = options.keyPrefix ?? defaultRedisGatewayStateOptions.keyPrefix;
    this.streamTtlMs = options.streamTtlMs ?? defaultRedisGatewayStateOptions.streamTtlMs;
  }

  /** Connects; throws `GatewayStateUnavailableError` when Redis cannot be reached now. */
  static async create(options: RedisGatewayStateOptions): Promise<RedisGatewayState> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? defaultRedisGatewayStateOptions.commandTimeoutMs,
    });
    const state = new RedisGatewayState(redis, redactRedisUrl(options.url), options);
    options.metrics?.watch(redis, 'state');
    let reachable = true;
    redis.on('error', (error: Error) => {
      if (!reachable) return;
      reachable = false;
      state.#log.warn({ err: error, redis: state.where }, 'shared state unreachable');
    });
    redis.on('ready', () => {
      if (reachable) return;
      reachable = true;
      state.#log.info({ redis: state.where }, 'shared state reachable again');
      options.onReachable?.();
    });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new GatewayStateUnavailableError(`cannot connect to ${state.where}`, error);
    }
    return state;
  }

  async createKey(options?: CreateStreamKeyOptions) {
    const made = newStreamKey(options);
    const { record } = made;
    await this.#run('createKey', 'create a stream key', () =>
      this.#redis
        .multi()
        .set(this.#k(`key:${record.id}`), JSON.stringify(toStored(record)))
        .set(this.#k(`keydigest:${streamKeyDigest(made.key).toString('hex')}`), record.id)
        .zadd(this.#k('keys'), Date.parse(record.createdAt), record.id)
        .exec(),
    );
    return made;
  }

  async findKey(key: string): Promise<StreamKeyRecord | undefined> {
    if (!looksLikeStreamKey(key)) return undefined;
    const id = await this.#run('findKey', 'find a stream key', () =>
      this.#redis.get(this.#k(`keydigest:${streamKeyDigest(key).toString('hex')}`)),
    );
    return id === null ? undefined : this.getKey(id);
  }

  async getKey(id: string): Promise<StreamKeyRecord | undefined> {
    const json = await this.#run('getKey', 'read a stream key', () =>
      this.#redis.get(this.#k(`key:${id}`)),
    );
    return json === null ? undefined : fromStored(JSON.parse(json) as StoredKey);
  }

  async revokeKey(id: string): Promise<StreamKeyRecord | undefined> {
    const record = await this.getKey(id);
    if (!record) return undefined;
    if (record.revokedAt !== undefined) return record;
    const revoked = { ...record, revokedAt: new Date().toISOString() };
    await this.#run('revokeKey', 'revoke a stream key', () =>
      this.#redis.set(this.#k(`key:${id}`), JSON.stringify(toStored(revoked))),
    );
    return revoked;
  }

  async listKeys(): Promise<StreamKeyRecord[]> {
    const ids = await this.#run('listKeys', 'list stream keys', () =>
      this.#redis.zrange(this.#k('keys'), 0, -1),
    );
    if (ids.length === 0) return [];
    const values = await this.#run('listKeys', 'list stream keys', () =>
      this.#redis.mget(ids.map((id) => this.#k(`key:${id}`))),
    );
    return values.flatMap((json) => (json ? [fromStored(JSON.parse(json) as StoredKey)] : []));
  }

  async reserveKeySlot(keyId: string, maxStreams: number): Promise<string | undefined> {
    const token = `slot:${randomUUID()}`;
    const now = Date.now();
    const taken = await this.#run('reserveKeySlot', 'reserve a stream slot', () =>
      this.#redis.eval(
        reserveSlotScript,
        1,
        this.#k(`keystreams:${keyId}`),
        now,
        maxStreams,
        now + this.streamTtlMs,
        token,
        this.streamTtlMs,
      ),
    );
    return taken === 1 ? token : undefined;
  }

  async releaseKeySlot(keyId: string, token: string): Promise<void> {
    await this.#run('releaseKeySlot', 'release a stream slot', () =>
      this.#redis.zrem(this.#k(`keystreams:${keyId}`), token),
    );
  }

  async addStream(stream: SharedStream): Promise<void> {
    await this.refreshStreams([stream]);
  }

  async removeStream(stream: SharedStream): Promise<void> {
    const multi = this.#redis
      .multi()
      .del(
        this.#k(`stream:${stream.streamId}`),
        this.#k(`playback:${stream.playbackId}`),
        this.#k(`playback:${stream.sourcePlaybackId}`),
      );
    if (stream.keyId) multi.zrem(this.#k(`keystreams:${stream.keyId}`), stream.streamId);
    await this.#run('removeStream', 'remove a stream', () => multi.exec());
  }

  async refreshStreams(streams: readonly SharedStream[]): Promise<void> {
    if (streams.length === 0) return;
    const ttl = this.streamTtlMs;
    const multi = this.#redis.multi();
    for (const stream of streams) {
      multi
        .set(this.#k(`stream:${stream.streamId}`), JSON.stringify(stream), 'PX', ttl)
        .set(this.#k(`playback:${stream.playbackId}`), stream.streamId, 'PX', ttl)
        .set(this.#k(`playback:${stream.sourcePlaybackId}`), stream.streamId, 'PX', ttl);
      if (stream.keyId) {
        multi
          .zadd(this.#k(`keystreams:${stream.keyId}`), Date.now() + ttl, stream.streamId)
          .pexpire(this.#k(`keystreams:${stream.keyId}`), ttl);
      }
    }
    await this.#run('refreshStreams', 'write live streams', () => multi.exec());
  }

  async streamsOfKey(keyId: string): Promise<string[]> {
    const members = await this.#run('streamsOfKey', 'list a key’s streams', () =>
      this.#redis.zrangebyscore(this.#k(`keystreams:${keyId}`), Date.now(), '+inf'),
    );
    return members.filter((member) => !member.startsWith('slot:'));
  }

  async findPlayback(playbackId: string): Promise<SharedStream | undefined> {
    const streamId = await this.#run('findPlayback', 'find a playback id', () =>
      this.#redis.get(this.#k(`playback:${playbackId}`)),
    );
    if (streamId === null) return undefined;
    const json = await this.#run('findPlayback', 'find a stream', () =>
      this.#redis.get(this.#k(`stream:${streamId}`)),
    );
    return json === null ? undefined : (JSON.parse(json) as SharedStream);
  }

  async announceGateway(url: string, up: boolean): Promise<void> {
    await this.#run('announceGateway', 'announce the gateway', () =>
      up
        ? this.#redis.zadd(this.#k('gateways'), Date.now() + this.streamTtlMs, url)
        : this.#redis.zrem(this.#k('gateways'), url),
    );
  }

  async otherGateways(url: string): Promise<string[]> {
    const urls = await this.#run('otherGateways', 'list the gateways', () =>
      this.#redis.zrangebyscore(this.#k('gateways'), Date.now(), '+inf'),
    );
    return urls.filter((other) => other !== url);
  }

  async assertReachable(): Promise<void> {
    await this.#run('assertReachable', 'reach Redis', () => this.#redis.ping());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#redis.disconnect();
  }

  #k(name: string): string {
    return `${this.#prefix}${name}`;
  }

  /**
   * Runs a command of `operation` (the `GatewayState` method, the label of its metrics); any
   * failure to reach Redis becomes `GatewayStateUnavailableError`.
   */
  async #run<T>(operation: string, what: string, command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new GatewayStateUnavailableError(`cannot ${what}: the state is closed`);
    try {
      return await (this.#metrics ? this.#metrics.time(operation, command) : command());
    } catch (error) {
      throw new GatewayStateUnavailableError(`cannot ${what} in ${this.where}`, error);
    }
  }
}

/** A Redis URL as logs may show it: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis (unparseable URL)';
  }
}

function toStored(record: StreamKeyRecord): StoredKey {
  return { ...record, maxPriceWeiPerSecond: record.maxPriceWeiPerSecond?.toString() };
}

function fromStored(stored: StoredKey): StreamKeyRecord {
  return {
    ...stored,
    maxPriceWeiPerSecond:
      stored.maxPriceWeiPerSecond === undefined ? undefined : BigInt(stored.maxPriceWeiPerSecond),
    revokedAt: stored.revokedAt ?? undefined,
  };
}
