import type { IncomingMessage } from 'node:http';
import { HttpError } from '@peerframe/core';
import { bearerToken, secretsEqual } from '@peerframe/core/http';
import type { GatewayState } from './GatewayState.ts';
import type { StreamKeyRecord } from './StreamKeyStore.ts';

/**
 * Who may do what on a gateway: the admin token for the admin API, and, when one is set, a
 * stream key for publishing. Keeps which key published each of this gateway's live streams; the
 * shared state counts each key's streams on every gateway and its slots being made, so a key
 * never runs more than its `maxStreams`.
 */
export class StreamKeyAccess {
  readonly state: GatewayState;
  readonly #adminToken: string | undefined;
  /** The stream key each live stream of this gateway was published with. */
  readonly #keyOfStream = new Map<string, StreamKeyRecord>();

  constructor(state: GatewayState, adminToken: string | undefined) {
    this.state = state;
    this.#adminToken = adminToken;
  }

  /** Stream keys and the admin token are in force (an admin token was set). */
  get enforced(): boolean {
    return this.#adminToken !== undefined && this.#adminToken !== '';
  }

  /** The key stream `streamId` was published with, if any. */
  keyOf(streamId: string): StreamKeyRecord | undefined {
    return this.#keyOfStream.get(streamId);
  }

  /** A stream published with `key` is live. */
  bind(streamId: string, key: StreamKeyRecord | undefined): void {
    if (key) this.#keyOfStream.set(streamId, key);
  }

  /** A stream ended. */
  unbind(streamId: string): void {
    this.#keyOfStream.delete(streamId);
  }

  /** 403 unless the request presents the stream key that published stream `streamId` (if one did). */
  async requirePublisher(req: IncomingMessage, streamId: string, action: string): Promise<void> {
    const key = this.#keyOfStream.get(streamId);
    if (key && (await this.#streamKey(req))?.id !== key.id) {
      throw new HttpError(
        403,
        'forbidden',
        `Only the stream key that published a stream can ${action}`,
      );
    }
  }

  /** The stream key a request presents (`Authorization: Bearer <key>`), if any was issued. */
  async #streamKey(req: IncomingMessage): Promise<StreamKeyRecord | undefined> {
    const token = bearerToken(req);
    return token ? this.state.findKey(token) : undefined;
  }

  /**
   * With stream keys in force: 401 without a key or with an unknown one, 403 for a revoked key or
   * a pipeline the key does not allow, 429 when the key already has its maximum of streams, live
   * or being made, on any gateway. Otherwise reserves one of the key's slots at once (requests
   * running in parallel cannot all pass the count); `releaseSlot` (idempotent) gives it back, once
   * the stream is live (it counts as live then) or failed.
   */
  async authorizePublish(
    req: IncomingMessage,
    pipeline: string,
  ): Promise<{ key: StreamKeyRecord | undefined; releaseSlot: () => void }> {
    if (!this.enforced) return { key: undefined, releaseSlot: () => {} };
    const key = await this.verifyKey(bearerToken(req));
    if (key.allowedPipelines.length > 0 && !key.allowedPipelines.includes(pipeline)) {
      throw new HttpError(
        403,
        'pipeline_not_allowed',
        `Stream key "${key.name || key.id}" allows ${key.allowedPipelines.join(', ')}, not "${pipeline}"`,
      );
    }
    const token = await this.state.reserveKeySlot(key.id, key.maxStreams);
    if (token === undefined) {
      const live = (await this.state.streamsOfKey(key.id)).length;
      throw new HttpError(
        429,
        'too_many_streams',
        `Stream key "${key.name || key.id}" already has ${live} live streams${live < key.maxStreams ? ` and ${key.maxStreams - live} starting` : ''} (at most ${key.maxStreams})`,
      );
    }
    let released = false;
    const releaseSlot = () => {
      if (released) return;
      released = true;
      // A slot left behind (the store out of reach) expires with the state's stream TTL.
      this.state.releaseKeySlot(key.id, token).catch(() => {});
    };
    return { key, releaseSlot };
  }

  /** 401 without a key or with an unknown one, 403 for a revoked one. */
  async verifyKey(token: string | undefined): Promise<StreamKeyRecord> {
    if (!token)
      throw new HttpError(
        401,
        'unauthorized',
        'Publishing needs a stream key: Authorization: Bearer <key>',
      );
    const key = await this.state.findKey(token);
    if (!key) throw new HttpError(401, 'invalid_stream_key', 'Unknown stream key');
    if (key.revokedAt)
      throw new HttpError(
        403,
        'stream_key_revoked',
        `Stream key "${key.name || key.id}" was revoked`,
      );
    return key;
  }

  /** 404 when the admin API is off (no admin token), 401 without the token, 403 with another. */
  requireAdmin(req: IncomingMessage): void {
    const expected = this.#adminToken;
    if (!expected)
      throw new HttpError(
        404,
        'not_found',
        'The admin API is off: start the gateway with an admin token',
      );
    const token = bearerToken(req);
    if (!token)
      throw new HttpError(
        401,
        'unauthorized',
        'The admin API needs Authorization: Bearer <admin token>',
      );
    if (!secretsEqual(token, expected)) throw new HttpError(403, 'forbidden', 'Wrong admin token');
  }
}
