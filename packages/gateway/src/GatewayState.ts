import { BaseError } from '@peerframe/core';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { CreateStreamKeyOptions, StreamKeyRecord } from './StreamKeyStore.ts';

/** A live stream as every gateway sharing the state sees it. */
export type SharedStream = {
  streamId: string;
  /** Plays the processed video (WHEP). */
  playbackId: string;
  /** Plays the publisher's own video (secret, given only to the publisher). */
  sourcePlaybackId: string;
  /** The gateway that holds the publisher (its base URL, as other gateways reach it). */
  gatewayUrl: string;
  /** The stream key it was published with, when keys are in force. */
  keyId: string | undefined;
  /** Its video codec (a relay from another gateway offers it); undefined: an audio-only stream. */
  codec: VideoCodecChoice | undefined;
};

/**
 * What the gateways of one service share: stream keys, live streams (which gateway holds each
 * publisher, its playback ids) and the slots of each key's `maxStreams`. One gateway keeps it in
 * its own memory (`MemoryGatewayState`, the default); several share it through Redis
 * (`RedisGatewayState`). Every method may throw `GatewayStateUnavailableError` (HTTP 503)
 * when the shared store cannot be reached; live media never waits on it.
 */
export interface GatewayState {
  /** `memory` or `redis`. */
  readonly kind: 'memory' | 'redis';
  /** Where the state lives, for logs (a sqlite path, or a Redis URL without its password). */
  readonly where: string;
  /** Makes a new key; the returned `key` is the only time it is seen in clear. */
  createKey(options?: CreateStreamKeyOptions): Promise<{ key: string; record: StreamKeyRecord }>;
  /** The record of a key, revoked or not; undefined for a key never issued. */
  findKey(key: string): Promise<StreamKeyRecord | undefined>;
  /** A key's record by id; undefined for an unknown id. */
  getKey(id: string): Promise<StreamKeyRecord | undefined>;
  /** Revokes a key for good; undefined for an unknown id. */
  revokeKey(id: string): Promise<StreamKeyRecord | undefined>;
  listKeys(): Promise<StreamKeyRecord[]>;
  /**
   * Takes one of key `keyId`'s `maxStreams` slots for a stream being made, counting its live
   * streams on every gateway and the slots taken: a token, or undefined when none is left.
   */
  reserveKeySlot(keyId: string, maxStreams: number): Promise<string | undefined>;
  /** Gives a slot back (the stream failed, or went live and counts as a live stream now). */
  releaseKeySlot(keyId: string, token: string): Promise<void>;
  /** A stream went live on this gateway (it counts toward its key's streams from now on). */
  addStream(stream: SharedStream): Promise<void>;
  /** A stream of this gateway ended. */
  removeStream(stream: SharedStream): Promise<void>;
  /**
   * Writes this gateway's live streams again (a heartbeat: in Redis they expire unless their
   * gateway refreshes them, so a gateway that dies leaves nothing behind for long).
   */
  refreshStreams(streams: readonly SharedStream[]): Promise<void>;
  /** The live streams, on every gateway, published with key `keyId`. */
  streamsOfKey(keyId: string): Promise<string[]>;
  /** The live stream that plays as `playbackId` (public or source), on any gateway. */
  findPlayback(playbackId: string): Promise<SharedStream | undefined>;
  /**
   * Gateway `url` is up and takes streams (written again with every refresh; an entry not
   * refreshed expires). `false`: it drains, and is no longer offered to publishers.
   */
  announceGateway(url: string, up: boolean): Promise<void>;
  /** The other gateways that take streams now (none with the memory state). */
  otherGateways(url: string): Promise<string[]>;
  /** Throws `GatewayStateUnavailableError` unless the shared store answers now. */
  assertReachable(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** The shared state (Redis) cannot be reached: the request may be retried later (HTTP 503). */
export class GatewayStateUnavailableError extends BaseError {
  override name = 'GatewayStateUnavailableError';
  constructor(details: string, cause?: unknown) {
    super(
      'shared_state_unavailable',
      "The gateways' shared state (Redis) cannot be reached: try again shortly",
      { details, cause, retryable: true },
    );
  }
}
