import { randomUUID } from 'node:crypto';
import { HttpError, type Logger } from '@peerframe/core';
import {
  type AudioCodecChoice,
  receivedAudioSection,
  selectAudioCodec,
} from '@peerframe/core/audioCodec';
import { InvalidSdpError, parseSdp } from '@peerframe/core/sdp';
import { selectVideoCodec, type VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { SfuAdapter, SfuLeg, SfuLegOptions } from './SfuAdapter.ts';
import type { SfuPacket } from './SfuPacket.ts';
import type { VideoTiming } from './videoTiming.ts';

/** What a WHEP viewer plays: the processed video (default) or the publisher's own. */
export type ViewerSource = 'processed' | 'source';

type Viewer = { id: string; leg: SfuLeg; source: ViewerSource };

export type StreamViewersOptions = {
  sfu: SfuAdapter;
  /** The options of every leg (playout delay). */
  legOptions: SfuLegOptions;
  /** The stream's video codec: viewers get it (the gateway never transcodes); undefined: audio only. */
  codec: VideoCodecChoice | undefined;
  /** The stream's audio codec; undefined when it has no audio. */
  audioCodec: AudioCodecChoice | undefined;
  /** Viewers at most (default 50). */
  maxViewers: number;
  /** A viewer not connected this long after its answer is dropped, ms. */
  connectTimeoutMs: number;
  /** Asks the source a viewer plays for a keyframe (throttled by the caller). */
  askKeyframe: (source: ViewerSource) => void;
  /**
   * Native forwarding SFUs: the leg whose received video a viewer of `source` plays (undefined:
   * none now, e.g. while the stream moves; the router links the viewer when it routes).
   */
  nativeSource?: (source: ViewerSource) => SfuLeg | undefined;
  log: Logger;
};

/**
 * The WHEP viewers of one stream, each a sendonly leg fed from the stream: the processed video,
 * or (with the secret source playback id) the publisher's own.
 */
export class StreamViewers {
  readonly #viewers = new Map<string, Viewer>();
  readonly #options: StreamViewersOptions;
  #closed = false;

  constructor(options: StreamViewersOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#viewers.size;
  }

  /**
   * Answers a viewer's offer (recvonly video) with a sendonly leg. Returns the viewer id and
   * `connected`, which settles once: true when the viewer's leg connects, false when it is
   * dropped first (not connected within the timeout, removed, or the stream ended).
   */
  async add(
    offerSdp: string,
    source: ViewerSource,
  ): Promise<{ viewerId: string; answerSdp: string; connected: Promise<boolean> }> {
    const { maxViewers, log } = this.#options;
    if (this.#viewers.size >= maxViewers) {
      throw new HttpError(503, 'too_many_viewers', `The stream already has ${maxViewers} viewers`, {
        retryable: true,
      });
    }
    const summary = parseSdp(offerSdp);
    const streamCodec = this.#options.codec;
    const codec = streamCodec ? selectVideoCodec(summary, [streamCodec.name]) : undefined;
    const audioCodec = this.#audioCodecOf(summary);
    if (!codec && !audioCodec) {
      throw new InvalidSdpError(
        'the stream is audio only (Opus) and the offer receives no Opus: add a recvonly audio section with opus/48000/2',
      );
    }
    const nativeSource = this.#options.nativeSource?.(source);
    const { leg, answerSdp } = await this.#options.sfu.answer(offerSdp, {
      ...this.#options.legOptions,
      ...(nativeSource ? { source: nativeSource } : {}),
      direction: 'sendonly',
      ...(codec ? { codec } : { video: false }),
      ...(audioCodec ? { audioCodec } : {}),
    });
    if (this.#closed) {
      await leg.close();
      throw new HttpError(404, 'stream_not_found', 'The stream has ended');
    }
    const viewer: Viewer = { id: randomUUID(), leg, source };
    this.#viewers.set(viewer.id, viewer);
    const askSource = () => this.#options.askKeyframe(source);
    leg.on('keyframeRequest', askSource);
    leg.on('unrepairableLoss', askSource);
    const limitMs = this.#options.connectTimeoutMs;
    let settle: (connected: boolean) => void = () => {};
    const connected = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    // A viewer that never connects (a bare WHEP POST) must not hold a leg until the stream ends.
    const timer = setTimeout(() => {
      if (!this.#viewers.has(viewer.id)) return;
      log.info({ viewerId: viewer.id, limitMs }, 'viewer did not connect: dropped');
      void this.remove(viewer.id);
    }, limitMs);
    timer.unref();
    leg.on('state', (state) => {
      // A new viewer can decode nothing before the next keyframe.
      if (state === 'connected') {
        clearTimeout(timer);
        settle(true);
        askSource();
      }
      if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        settle(false);
        this.#viewers.delete(viewer.id);
      }
    });
    log.info({ viewerId: viewer.id, source, viewers: this.#viewers.size }, 'viewer joined');
    return { viewerId: viewer.id, answerSdp, connected };
  }

  /**
   * The Opus payload type a viewer gets the stream's audio on; undefined (its audio section is
   * answered as rejected, the video still plays) when the stream has no audio or the viewer
   * offers no Opus.
   */
  #audioCodecOf(summary: ReturnType<typeof parseSdp>): AudioCodecChoice | undefined {
    if (!this.#options.audioCodec) return undefined;
    const audio = receivedAudioSection(summary);
    if (!audio) return undefined;
    try {
      return selectAudioCodec(audio);
    } catch {
      return undefined;
    }
  }

  /** Ends one viewer's playback. Returns false for an unknown id. */
  async remove(viewerId: string): Promise<boolean> {
    const viewer = this.#viewers.get(viewerId);
    if (!viewer) return false;
    this.#viewers.delete(viewerId);
    await viewer.leg.close();
    return true;
  }

  /** Sends a video packet to the viewers of `source`; each leg rewrites it, so each gets a copy. */
  sendVideo(source: ViewerSource, packet: SfuPacket, videoTiming?: VideoTiming): void {
    for (const viewer of this.#viewers.values()) {
      if (viewer.source === source) viewer.leg.send(packet.clone(), videoTiming);
    }
  }

  /** Sends the publisher's audio at once to the viewers of its own video. */
  sendSourceAudio(packet: SfuPacket, senderTimeMs: number): void {
    for (const viewer of this.#viewers.values()) {
      if (viewer.source === 'source') viewer.leg.sendAudio?.(packet.clone(), senderTimeMs);
    }
  }

  /** The legs of the processed video's viewers. */
  *processedLegs(): Iterable<SfuLeg> {
    for (const viewer of this.#viewers.values())
      if (viewer.source === 'processed') yield viewer.leg;
  }

  /** Closes every viewer's leg; later offers are refused. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const viewers = [...this.#viewers.values()];
    this.#viewers.clear();
    await Promise.all(viewers.map((viewer) => viewer.leg.close()));
  }
}
