import {
  BaseError,
  type BitrateHints,
  createLogger,
  HttpError,
  type Logger,
  setVideoBitrateHints,
  TypedEmitter,
} from '@peerframe/core';
import {
  installWrtcExitGuard,
  WrtcVideoSink as VideoSink,
  WrtcVideoSource as VideoSource,
  WrtcPeerConnection,
  type WrtcVideoSink,
  waitForIceGathering,
} from '@peerframe/core/wrtc';
import type { I420Buffer } from './SyntheticVideo.ts';

export type ReceivedFrame = I420Buffer & { receivedAtMs: number };

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

export class WhipError extends BaseError {
  override name = 'WhipError';
}

/**
 * A Node publisher (libwebrtc through @roamhq/wrtc) that pushes I420 frames to a gateway over WHIP
 * on one sendrecv video transceiver and receives the processed frames back on it.
 */
export class NodeWhipPublisher extends TypedEmitter<NodeWhipPublisherEvents> {
  readonly resourceUrl: string;
  readonly #pc: RTCPeerConnection;
  readonly #source: InstanceType<typeof VideoSource>;
  readonly #track: MediaStreamTrack;
  readonly #headers: Record<string, string>;
  readonly #log: Logger;
  #sink: WrtcVideoSink | undefined;
  #closed = false;

  private constructor(
    pc: RTCPeerConnection,
    source: InstanceType<typeof VideoSource>,
    track: MediaStreamTrack,
    resourceUrl: string,
    headers: Record<string, string>,
  ) {
    super();
    this.#pc = pc;
    this.#source = source;
    this.#track = track;
    this.resourceUrl = resourceUrl;
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
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/sdp' },
        body: pc.localDescription?.sdp ?? '',
      });
      const body = await res.text();
      if (res.status !== 201) throw whipFailure(res.status, body);
      const location = res.headers.get('location');
      if (!location) throw new WhipError('whip_no_location', 'WHIP answer has no Location header');
      const answer = options.bitrate ? setVideoBitrateHints(body, options.bitrate) : body;
      const publisher = new NodeWhipPublisher(
        pc,
        source,
        track,
        new URL(location, url).toString(),
        headers,
      );
      publisher.#attachSink();
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      await publisher.#waitConnected(options.connectTimeoutMs ?? 10_000);
      return publisher;
    } catch (error) {
      track.stop();
      pc.close();
      throw error;
    }
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

  #attachSink(): void {
    this.#pc.addEventListener('track', (event) => {
      if (event.track.kind !== 'video' || this.#sink) return;
      const sink = new VideoSink(event.track);
      sink.onframe = ({ frame }) => {
        const data =
          frame.data.constructor === Uint8Array
            ? frame.data
            : new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
        this.emit('frame', {
          widthPx: frame.width,
          heightPx: frame.height,
          data,
          receivedAtMs: performance.now(),
        });
      };
      this.#sink = sink;
    });
    this.#pc.addEventListener('connectionstatechange', () =>
      this.emit('state', this.#pc.connectionState),
    );
  }

  #waitConnected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const state = this.#pc.connectionState;
        if (state === 'connected') finish();
        else if (state === 'failed' || state === 'closed')
          finish(new WhipError('whip_connect_failed', `Peer connection ${state}`));
      };
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.#pc.removeEventListener('connectionstatechange', check);
        error ? reject(error) : resolve();
      };
      const timer = setTimeout(
        () =>
          finish(
            new WhipError('whip_connect_timeout', `Not connected after ${timeoutMs} ms`, {
              retryable: true,
            }),
          ),
        timeoutMs,
      );
      this.#pc.addEventListener('connectionstatechange', check);
      check();
    });
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
    this.#sink?.stop();
    this.#track.stop();
    this.#pc.close();
  }
}

function whipFailure(status: number, body: string): HttpError {
  try {
    const { error } = JSON.parse(body) as { error: { code: string; message: string } };
    return new HttpError(status, error.code, error.message);
  } catch {
    return new HttpError(status, 'whip_failed', `WHIP POST answered ${status}`);
  }
}
