import { createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { type BitrateHints, setVideoBitrateHints } from '@peerframe/core/sdp';
import {
  installWrtcExitGuard,
  WrtcVideoSource as VideoSource,
  WrtcPeerConnection,
  waitForIceGathering,
} from '@peerframe/core/wrtc';
import { whipAnswerHeaders } from '@peerframe/wire';
import { attachVideoSink, postOffer, type ReceivedFrame, waitConnected } from './nodePeer.ts';
import type { I420Buffer } from './SyntheticVideo.ts';

export type NodeWhipPublisherEvents = {
  /** A processed frame came back from the gateway (decoded I420). */
  frame: [ReceivedFrame];
  state: [RTCPeerConnectionState];
};

export type NodeWhipPublisherOptions = {
  /** The gateway's WHIP endpoint, e.g. `http://127.0.0.1:8080/whip`. */
  whipUrl: string;
  /** Pipeline to run on the stream (default: the gateway's default). */
  pipeline?: string;
  params?: Record<string, unknown>;
  /** Bearer token sent as `Authorization` (stream key). */
  token?: string;
  /** Bitrate hints applied to our own view of the answer, for the encoder (default: the gateway's). */
  bitrate?: BitrateHints;
  /** How long to wait for the connection, ms (default 10 000). */
  connectTimeoutMs?: number;
};

/**
 * A Node publisher (libwebrtc through @roamhq/wrtc) that pushes I420 frames to a gateway over WHIP
 * on one sendrecv video transceiver and receives the processed frames back on it.
 */
export class NodeWhipPublisher extends TypedEmitter<NodeWhipPublisherEvents> {
  readonly resourceUrl: string;
  /** Where viewers play the processed stream over WHEP, when the gateway says. */
  readonly playbackUrl: string | undefined;
  /**
   * Where this publisher's own, unprocessed video plays over WHEP, when the gateway says: a
   * secret to keep (it shows what a privacy effect hides); the public `playbackUrl` never plays it.
   */
  readonly sourcePlaybackUrl: string | undefined;
  /**
   * When the offer was POSTed (`performance.now()`), after the offer was made and its ICE
   * candidates gathered: WHIP POST → connected is measured from here.
   */
  readonly postedAtMs: number;
  readonly #pc: RTCPeerConnection;
  readonly #source: InstanceType<typeof VideoSource>;
  readonly #track: MediaStreamTrack;
  readonly #headers: Record<string, string>;
  readonly #log: Logger;
  #stopSink: () => void = () => {};
  #closed = false;

  private constructor(
    pc: RTCPeerConnection,
    source: InstanceType<typeof VideoSource>,
    track: MediaStreamTrack,
    resourceUrl: string,
    playbackUrl: string | undefined,
    sourcePlaybackUrl: string | undefined,
    headers: Record<string, string>,
    postedAtMs: number,
  ) {
    super();
    this.postedAtMs = postedAtMs;
    this.#pc = pc;
    this.#source = source;
    this.#track = track;
    this.resourceUrl = resourceUrl;
    this.playbackUrl = playbackUrl;
    this.sourcePlaybackUrl = sourcePlaybackUrl;
    this.#headers = headers;
    this.#log = createLogger('client-sdk:whip', { resource: resourceUrl });
  }

  static async connect(options: NodeWhipPublisherOptions): Promise<NodeWhipPublisher> {
    installWrtcExitGuard();
    const pc = new WrtcPeerConnection({ iceServers: [] });
    const source = new VideoSource();
    const track = source.createTrack();
    const headers: Record<string, string> = options.token
      ? { authorization: `Bearer ${options.token}` }
      : {};
    try {
      pc.addTransceiver(track, { direction: 'sendrecv' });
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc);
      const url = new URL(options.whipUrl);
      if (options.pipeline) url.searchParams.set('pipeline', options.pipeline);
      if (options.params) url.searchParams.set('params', JSON.stringify(options.params));
      const postedAtMs = performance.now();
      const posted = await postOffer(url, pc.localDescription?.sdp ?? '', headers);
      const answer = options.bitrate
        ? setVideoBitrateHints(posted.answerSdp, options.bitrate)
        : posted.answerSdp;
      const absolute = (header: string) => {
        const path = posted.headers.get(header);
        return path ? new URL(path, url).toString() : undefined;
      };
      const publisher = new NodeWhipPublisher(
        pc,
        source,
        track,
        posted.resourceUrl,
        absolute(whipAnswerHeaders.playbackUrl),
        absolute(whipAnswerHeaders.sourcePlaybackUrl),
        headers,
        postedAtMs,
      );
      publisher.#stopSink = attachVideoSink(pc, (frame) => publisher.emit('frame', frame));
      pc.addEventListener('connectionstatechange', () =>
        publisher.emit('state', pc.connectionState),
      );
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      await waitConnected(pc, options.connectTimeoutMs ?? 10_000);
      return publisher;
    } catch (error) {
      track.stop();
      pc.close();
      throw error;
    }
  }

  /** The stream's id on the gateway (the end of the WHIP resource URL), for the control channel. */
  get streamId(): string {
    return new URL(this.resourceUrl).pathname.split('/').pop() ?? '';
  }

  /** Sends one I420 frame to the encoder. */
  pushFrame(frame: I420Buffer): void {
    if (this.#closed) return;
    this.#source.onFrame({ width: frame.widthPx, height: frame.heightPx, data: frame.data });
  }

  get connectionState(): RTCPeerConnectionState {
    return this.#pc.connectionState;
  }

  /** Stats of the underlying peer connection (libwebrtc's getStats). */
  getStats(): Promise<RTCStatsReport> {
    return this.#pc.getStats();
  }

  /** Ends the WHIP session (DELETE), stops media and closes the peer. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await fetch(this.resourceUrl, { method: 'DELETE', headers: this.#headers }).catch(
      (error: unknown) => {
        this.#log.debug({ err: error }, 'WHIP DELETE failed');
      },
    );
    this.#stopSink();
    this.#track.stop();
    this.#pc.close();
  }
}
