import { HttpError, type Logger } from '@peerframe/core';
import {
  type AudioCodecChoice,
  opusClockRateHz,
  sentAudioSection,
} from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import { parseSdp } from '@peerframe/core/sdp';
import { SenderClock } from './clocks/SenderClock.ts';
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

/** The Opus the relay's leg offers the other gateway (its viewers each get their own payload type). */
const relayOpus: AudioCodecChoice = {
  name: 'opus',
  payloadType: 111,
  clockRate: opusClockRateHz,
  channels: 2,
  fmtp: 'minptime=10;useinbandfec=1',
};

/**
 * A stream held by another gateway, played here: this gateway is one WHEP viewer of it there (a
 * real WebRTC leg, gateway to gateway) and forwards its video and audio to its own WHEP viewers,
 * so any number of viewers here cost the other gateway one leg. Ends when the leg does, or when
 * no viewer is left.
 *
 * The other gateway already sent the sound delayed to match its video (`AudioRelay`), with sender
 * reports of both on its clock; here both are forwarded as they come. The video's reports are
 * stamped with each frame's departure from this gateway, as on every leg; the audio's map each
 * packet's timestamp to the same instant through the other gateway's audio reports (`SenderClock`:
 * its clock plus the least transit seen), which keeps one steady map however the packets jitter.
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

  private constructor(
    options: StreamRelayOptions,
    leg: SfuLeg,
    resourceUrl: string | undefined,
    audio: boolean,
  ) {
    this.#options = options;
    this.stream = options.stream;
    this.playbackId = options.playbackId;
    this.#leg = leg;
    this.#resourceUrl = resourceUrl;
    this.#viewers = new StreamViewers({
      sfu: options.sfu,
      legOptions: options.legOptions,
      codec: options.stream.codec,
      audioCodec: audio ? relayOpus : undefined,
      maxViewers: options.maxViewers,
      connectTimeoutMs: options.connectTimeoutMs,
      askKeyframe: () => leg.requestKeyframe(),
      nativeSource: () => leg,
      log: options.log,
    });
    leg.on('rtp', (packet, videoTiming) =>
      this.#viewers.sendVideo('processed', packet, videoTiming),
    );
    if (audio) {
      const clock = new SenderClock(opusClockRateHz);
      leg.on('audioSenderReport', (report) => clock.report(report, epochNowMs(), leg.roundTripMs));
      leg.on('audioRtp', (packet) => {
        const senderTimeMs = clock.captureMs(packet.header.timestamp) ?? epochNowMs();
        for (const viewer of this.#viewers.processedLegs())
          viewer.sendAudio?.(packet.clone(), senderTimeMs);
      });
    }
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
    if (!stream.codec && !(sfu.audioWithoutVideo ?? sfu.audio)) {
      throw new HttpError(
        409,
        'relay_unsupported',
        `Stream "${stream.streamId}" is audio-only and held by another gateway, and this gateway's SFU (${sfu.name}) carries no audio: play it from ${stream.gatewayUrl}`,
      );
    }
    // The stream's audio, when it has some (the other gateway answers the audio section).
    const { leg, offerSdp } = await sfu.offer({
      ...options.legOptions,
      ...(stream.codec ? { codec: stream.codec } : { video: false }),
      ...(sfu.audio ? { audioCodec: relayOpus } : {}),
    });
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
      // A stream without audio has its audio section answered rejected (port 0).
      const audio =
        /^m=audio [1-9]\d* /m.test(body) && sentAudioSection(parseSdp(body)) !== undefined;
      return new StreamRelay(
        options,
        leg,
        location ? new URL(location, url).href : undefined,
        audio,
      );
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
