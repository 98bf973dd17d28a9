import { postOffer, type ReceivedFrame } from '@peerframe/client-sdk/node';
import { TypedEmitter } from '@peerframe/core';
import { epochNowMs } from '@peerframe/core/frameTiming';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { MediaWorker, NodeAvEngine } from '@peerframe/orchestrator';
import type { OrchestratorMediaInfo, OrchestratorTransportStats } from '@peerframe/wire';
import { offeredVideoCodecs as offered } from './offeredVideoCodecs.ts';

let engineInfo: OrchestratorMediaInfo | undefined;

/**
 * A WHIP publisher (or WHEP viewer) on PeerFrame's own media engine (werift + FFmpeg through
 * node-av, on a media thread of its own, as an orchestrator session runs): VP8 or H.264 out, the
 * processed stream decoded back. The same publisher for both codecs, so the bench compares them
 * fairly (libwebrtc through wrtc has no H.264).
 */
export class EngineWhipClient extends TypedEmitter<{ frame: [ReceivedFrame] }> {
  readonly resourceUrl: string;
  readonly playbackUrl: string | undefined;
  /** When the WHIP POST went out (performance.now()): its media thread was started before. */
  readonly postedAtMs: number;
  readonly #media: MediaWorker;
  #closed = false;

  private constructor(
    media: MediaWorker,
    resourceUrl: string,
    playbackUrl: string | undefined,
    postedAtMs: number,
  ) {
    super();
    this.#media = media;
    this.postedAtMs = postedAtMs;
    this.resourceUrl = resourceUrl;
    this.playbackUrl = playbackUrl;
    media.on('picture', ({ widthPx, heightPx, data }) =>
      this.emit('frame', { widthPx, heightPx, data, receivedAtMs: performance.now() }),
    );
  }

  /** Publishes over WHIP (`whipUrl`), or plays over WHEP (`whepUrl`). */
  static async connect(options: {
    whipUrl?: string;
    whepUrl?: string;
    pipeline?: string;
    codec: VideoCodecName;
    connectTimeoutMs?: number;
  }): Promise<EngineWhipClient> {
    engineInfo ??= (await NodeAvEngine.create({ hardware: 'off' })).info;
    const media = await MediaWorker.spawn(engineInfo);
    try {
      let state = 'connecting';
      media.on('state', (next) => {
        state = next;
      });
      const url = new URL(options.whipUrl ?? options.whepUrl ?? '');
      if (options.pipeline) url.searchParams.set('pipeline', options.pipeline);
      const offerSdp = await media.offer(offered[options.codec]);
      const postedAtMs = performance.now();
      const posted = await postOffer(url, offerSdp, {});
      await media.accept(posted.answerSdp);
      const playbackPath = posted.headers.get('peerframe-playback-url');
      const client = new EngineWhipClient(
        media,
        posted.resourceUrl,
        playbackPath ? new URL(playbackPath, url).toString() : undefined,
        postedAtMs,
      );
      const deadline = performance.now() + (options.connectTimeoutMs ?? 10_000);
      while (state !== 'connected') {
        if (state === 'failed' || performance.now() > deadline) {
          throw new Error(`the engine client did not connect (${state})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return client;
    } catch (error) {
      await media.close();
      throw error;
    }
  }

  get streamId(): string {
    return new URL(this.resourceUrl).pathname.split('/').pop() ?? '';
  }

  /** Encodes and sends a frame (copied: the caller may reuse its buffer). */
  pushFrame(frame: { widthPx: number; heightPx: number; data: Uint8Array }): void {
    if (this.#closed) return;
    this.#media.send(frame, epochNowMs(), false);
  }

  /** Its own media counters (what it encoded, what it decoded back). */
  stats(): Promise<OrchestratorTransportStats | undefined> {
    return this.#media.stats();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await fetch(this.resourceUrl, { method: 'DELETE' }).catch(() => {});
    await this.#media.close();
  }
}
