import { HttpError, type Logger } from '@peerframe/core';
import type { SharedStream } from './GatewayState.ts';
import type { SfuAdapter, SfuLeg, SfuLegOptions } from './SfuAdapter.ts';
import { StreamViewers } from './StreamViewers.ts';

export type StreamRelayOptions = {
  sfu: SfuAdapter;
  /** The options of every leg (playout delay). */
  legOptions: SfuLegOptions;
  /** The stream, held by another gateway. */
  stream: SharedStream;
  /** The id it plays as there (its public or its source playback id). */
  playbackId: string;
  /** Viewers of this relay at most. */
  maxViewers: number;
  /** A viewer not connected this long after its answer is dropped, ms. */
  connectTimeoutMs: number;
  /** How long the relay waits for its first viewer, and then stays without any, ms (default 5 000). */
  idleTimeoutMs?: number;
  /** How long the other gateway may take to answer, ms (default 5 000). */
  requestTimeoutMs?: number;
  /** The relay ended (the other gateway's leg failed or closed, or no viewer is left). */
  onClose: () => void;
  log: Logger;
};

/**
 * A stream held by another gateway, played here: this gateway is one WHEP viewer of it there (a
 * real WebRTC leg, gateway to gateway) and forwards its video to its own WHEP viewers, so any
 * number of viewers here cost the other gateway one leg. Video only (no audio yet). Ends when the
 * leg does, or when no viewer is left.
 */
export class StreamRelay {
  readonly stream: SharedStream;
  readonly playbackId: string;
  readonly #options: StreamRelayOptions;
  readonly #leg: SfuLeg;
  readonly #resourceUrl: string | undefined;
  readonly #viewers: StreamViewers;
  readonly #idleTimer: NodeJS.Timeout;
  #closed = false;

  private constructor(options: StreamRelayOptions, leg: SfuLeg, resourceUrl: string | undefined) {
    this.#options = options;
    this.stream = options.stream;
    this.playbackId = options.playbackId;
    this.#leg = leg;
    this.#resourceUrl = resourceUrl;
    this.#viewers = new StreamViewers({
      sfu: options.sfu,
      legOptions: options.legOptions,
      codec: options.stream.codec,
      audioCodec: undefined,
      maxViewers: options.maxViewers,
      connectTimeoutMs: options.connectTimeoutMs,
      askKeyframe: () => leg.requestKeyframe(),
      nativeSource: () => leg,
      log: options.log,
    });
    leg.on('rtp', (packet, videoTiming) =>
      this.#viewers.sendVideo('processed', packet, videoTiming),
    );
    leg.on('state', (state) => {
      if (state === 'failed' || state === 'closed') void this.close(`relay leg ${state}`);
    });
    this.#idleTimer = setInterval(() => {
      if (this.#viewers.size === 0) void this.close('no viewer left');
    }, options.idleTimeoutMs ?? 5_000);
    this.#idleTimer.unref();
  }

  /** Opens the leg to the gateway holding the stream (502 `relay_failed` when it refuses). */
  static async create(options: StreamRelayOptions): Promise<StreamRelay> {
    const { stream, playbackId, sfu } = options;
    if (!stream.codec) {
      throw new HttpError(
        409,
        'relay_unsupported',
        `Stream "${stream.streamId}" is audio-only and held by another gateway; relays between gateways carry video only: play it from ${stream.gatewayUrl}`,
      );
    }
    const { leg, offerSdp } = await sfu.offer({ ...options.legOptions, codec: stream.codec });
    const url = new URL(`/whep/${encodeURIComponent(playbackId)}`, stream.gatewayUrl);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: offerSdp,
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5_000),
      });
      const body = await res.text();
      if (res.status !== 201) {
        throw new HttpError(
          res.status === 404 ? 404 : 502,
          res.status === 404 ? 'stream_not_found' : 'relay_failed',
          `The gateway holding the stream (${stream.gatewayUrl}) answered ${res.status} to its relay`,
          { details: body.slice(0, 500) },
        );
      }
      const location = res.headers.get('location');
      await leg.accept(body);
      return new StreamRelay(options, leg, location ? new URL(location, url).href : undefined);
    } catch (error) {
      await leg.close();
      if (error instanceof HttpError) throw error;
      throw new HttpError(
        502,
        'relay_failed',
        `The gateway holding the stream (${stream.gatewayUrl}) cannot be reached`,
        { cause: error },
      );
    }
  }

  get viewers(): number {
    return this.#viewers.size;
  }

  addViewer(offerSdp: string): ReturnType<StreamViewers['add']> {
    return this.#viewers.add(offerSdp, 'processed');
  }

  removeViewer(viewerId: string): Promise<boolean> {
    return this.#viewers.remove(viewerId);
  }

  /** Ends the relay: its viewers, its leg, and its viewer resource on the other gateway. Idempotent. */
  async close(reason = 'relay closed'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#idleTimer);
    this.#options.log.info({ playbackId: this.playbackId, reason }, 'relay ended');
    this.#options.onClose();
    await Promise.all([this.#viewers.close(), this.#leg.close()]);
    if (this.#resourceUrl) {
      await fetch(this.#resourceUrl, { method: 'DELETE', signal: AbortSignal.timeout(2_000) })
        .then((res) => res.body?.cancel())
        .catch((error: unknown) =>
          this.#options.log.debug({ err: error }, 'relay: the viewer resource was not deleted'),
        );
    }
  }
}
