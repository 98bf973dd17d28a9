import { randomUUID } from 'node:crypto';
import type { GatewayState, SharedStream } from './GatewayState.ts';
import {
  type CreateStreamKeyOptions,
  type StreamKeyRecord,
  StreamKeyStore,
  type StreamKeyStoreOptions,
} from './StreamKeyStore.ts';

/**
 * One gateway's state in its own process: stream keys in its sqlite `StreamKeyStore` (a file, so
 * they survive a restart, or `:memory:`), live streams and key slots in maps. The default: a
 * single gateway needs no Redis.
 */
export class MemoryGatewayState implements GatewayState {
  readonly kind = 'memory';
  readonly where: string;
  readonly #keys: StreamKeyStore;
  readonly #streams = new Map<string, SharedStream>();
  /** Per key id, the tokens of its streams being made. */
  readonly #slots = new Map<string, Set<string>>();

  constructor(options: StreamKeyStoreOptions) {
    this.#keys = StreamKeyStore.open(options);
    this.where = this.#keys.path;
  }

  async createKey(options?: CreateStreamKeyOptions) {
    return this.#keys.create(options);
  }

  async findKey(key: string): Promise<StreamKeyRecord | undefined> {
    return this.#keys.find(key);
  }

  async getKey(id: string): Promise<StreamKeyRecord | undefined> {
    return this.#keys.get(id);
  }

  async revokeKey(id: string): Promise<StreamKeyRecord | undefined> {
    return this.#keys.revoke(id);
  }

  async listKeys(): Promise<StreamKeyRecord[]> {
    return this.#keys.list();
  }

  async reserveKeySlot(keyId: string, maxStreams: number): Promise<string | undefined> {
    // Counted and taken in one step: requests running in parallel cannot all pass the count.
    const slots = this.#slots.get(keyId) ?? new Set<string>();
    const live = this.#streamsOfKey(keyId).length;
    if (live + slots.size >= maxStreams) return undefined;
    const token = randomUUID();
    slots.add(token);
    this.#slots.set(keyId, slots);
    return token;
  }

  async releaseKeySlot(keyId: string, token: string): Promise<void> {
    const slots = this.#slots.get(keyId);
    slots?.delete(token);
    if (slots?.size === 0) this.#slots.delete(keyId);
  }

  async addStream(stream: SharedStream): Promise<void> {
    this.#streams.set(stream.streamId, stream);
  }

  async removeStream(stream: SharedStream): Promise<void> {
    this.#streams.delete(stream.streamId);
  }

  async refreshStreams(): Promise<void> {}

  async streamsOfKey(keyId: string): Promise<string[]> {
    return this.#streamsOfKey(keyId);
  }

  #streamsOfKey(keyId: string): string[] {
    return [...this.#streams.values()].filter((s) => s.keyId === keyId).map((s) => s.streamId);
  }

  async findPlayback(playbackId: string): Promise<SharedStream | undefined> {
    for (const stream of this.#streams.values()) {
      if (stream.playbackId === playbackId || stream.sourcePlaybackId === playbackId) return stream;
    }
    return undefined;
  }

  async announceGateway(): Promise<void> {}

  async otherGateways(): Promise<string[]> {
    return [];
  }

  async assertReachable(): Promise<void> {}

  async close(): Promise<void> {
    this.#keys.close();
  }
}
