import { BaseError, type HopTimings, hopNames, TypedEmitter } from '@peerframe/core/browser';
import type { StreamState, StreamStatsEvent } from '@peerframe/wire';
import { ControlClient, type ControlError } from './ControlClient.ts';
import {
  type DecoderSample,
  gatewayToPublisherMs,
  type PeerStat,
  readDecoderSample,
} from './gatewayToPublisherHop.ts';
import { canProbeLatency, LatencyProbe } from './LatencyProbe.ts';
import { postWhipOffer } from './postWhipOffer.ts';
import { renderAtOnce } from './renderAtOnce.ts';
import { SessionAudio } from './SessionAudio.ts';
import { waitSessionConnected } from './SessionError.ts';
import {
  defaultSessionOptions,
  SessionError,
  type SessionEvents,
  type SessionOptions,
  type SessionState,
} from './SessionTypes.ts';

/** One connection to the gateway: a WHIP peer and its control channel. */
type Link = {
  pc: RTCPeerConnection;
  /** The video's sender; undefined for an audio-only session. */
  sender: RTCRtpSender | undefined;
  /** Sends the sound, when there is one. */
  audioSender: RTCRtpSender | undefined;
  resourceUrl: string | undefined;
  streamId: string | undefined;
  control: ControlClient | undefined;
  outputTrack: MediaStreamTrack | undefined;
  outputAudioTrack: MediaStreamTrack | undefined;
  disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  /** The gateway ended the stream itself: nothing to DELETE. */
  endedByGateway: boolean;
};

function median(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * A processed video session: publishes a track to a PeerFrame gateway over WHIP (one sendrecv
 * peer connection), exposes the processed video as `output`, changes params live over the
 * socket.io control channel, and reports state, stats, the serving orchestrator, payments and
 * errors as events. It reconnects with backoff when the network or the gateway goes away, with
 * the same pipeline and params, and owns every peer connection and track it makes.
 */
export class Session extends TypedEmitter<SessionEvents> {
  /** The processed video (its track is replaced after a reconnect; `output` fires then). */
  readonly output: MediaStream;
  readonly pipeline: string;
  readonly #options: SessionOptions & { [K in keyof typeof defaultSessionOptions]: number };
  readonly #createPeer: (configuration: RTCConfiguration) => RTCPeerConnection;
  #params: Record<string, unknown>;
  #state: SessionState = 'connecting';
  #link: Link | undefined;
  #source: MediaStreamTrack | undefined;
  readonly #audio: SessionAudio;
  #probe: LatencyProbe | undefined;
  #gatewayStats: StreamStatsEvent | undefined;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  /** Our decoder's totals at the last stats tick (for the gateway → us hop). */
  #decoder: DecoderSample | undefined;
  #reconnecting: Promise<void> | undefined;
  #reconnects = 0;
  #closed = false;
  /** Resolves when the running backoff sleep ends early (on close). */
  #wake: (() => void) | undefined;

  constructor(options: SessionOptions) {
    super();
    const defined = Object.fromEntries(
      Object.entries(options).filter(([, value]) => value !== undefined),
    ) as SessionOptions;
    this.#options = { ...defaultSessionOptions, ...defined };
    this.pipeline = options.pipeline;
    this.#params = { ...(options.params ?? {}) };
    const factory =
      options.peerConnectionFactory ??
      (typeof RTCPeerConnection === 'function'
        ? (configuration: RTCConfiguration) => new RTCPeerConnection(configuration)
        : undefined);
    if (!factory) {
      throw new SessionError(
        'webrtc_unavailable',
        'No RTCPeerConnection here: pass peerConnectionFactory (Node: @peerframe/client-sdk/node)',
      );
    }
    this.#createPeer = factory;
    this.#audio = new SessionAudio(options.audio);
    this.output = options.mediaStreamFactory ? options.mediaStreamFactory() : new MediaStream();
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The params the session runs with (sent again on each reconnect). */
  get params(): Readonly<Record<string, unknown>> {
    return { ...this.#params };
  }

  /** The stream's id on the gateway, once published. */
  get streamId(): string | undefined {
    return this.#link?.streamId;
  }

  /** Where viewers play the processed stream over WHEP (set once published). */
  playbackUrl: string | undefined;
  /**
   * Where the publisher's own, unprocessed video plays over WHEP (set once published): a secret
   * of this session's, not to share (it shows what a privacy effect hides).
   */
  sourcePlaybackUrl: string | undefined;
  /** Why the session last reconnected. */
  reconnectReason: string | undefined;

  /**
   * Publishes a video track (or a stream's first video track) and resolves once the gateway
   * connection is up; with no video (an audio track, or a stream of audio alone), an audio-only
   * session for a pipeline that processes audio only, its sound coming back in `output`.
   * Publishing again swaps the tracks on the running connection (an audio-only session stays
   * one).
   */
  async publish(source: MediaStream | MediaStreamTrack): Promise<void> {
    if (this.#closed) throw new SessionError('session_closed', 'The session is closed');
    const track = 'getVideoTracks' in source ? source.getVideoTracks()[0] : source;
    const video = track?.kind === 'video' ? track : undefined;
    if (this.#link && (this.#link.sender === undefined) !== (video === undefined)) {
      throw new SessionError(
        'media_changed',
        `This session publishes ${video ? 'audio only' : 'video'}: start another session to publish ${video ? 'video' : 'audio alone'}`,
      );
    }
    const audio = await this.#audio.select(source);
    if (!video && !audio) {
      throw new SessionError(
        'no_track',
        'publish() needs a video track, or an audio track for a pipeline that processes audio only',
      );
    }
    this.#source = video;
    if (video && this.#options.measureLatency && canProbeLatency()) {
      this.#probe?.close();
      this.#probe = new LatencyProbe(video);
      if (this.#link?.outputTrack) this.#probe.watchOutput(this.#link.outputTrack);
    }
    if (this.#link) {
      await this.#link.sender?.replaceTrack(this.#published() ?? null);
      await this.#link.audioSender?.replaceTrack(audio ?? null);
      return;
    }
    this.#statsTimer ??= setInterval(() => void this.#tick(), this.#options.statsIntervalMs);
    try {
      await this.#connect();
    } catch (error) {
      if (error instanceof BaseError && error.retryable && !this.#closed) {
        this.#report(error);
        await this.#reconnect(error.shortMessage);
        if (this.#closed) throw error;
        return;
      }
      this.#fail(error);
      throw error;
    }
  }

  /**
   * Changes params live, merged into the current ones; rejects if the pipeline refuses them (the
   * current ones stay). The whole set is sent, so the gateway can start a replacement
   * orchestrator with all of them.
   */
  async update(params: Record<string, unknown>): Promise<void> {
    if (this.#closed) throw new SessionError('session_closed', 'The session is closed');
    const next = { ...this.#params, ...params };
    const control = this.#link?.control;
    if (control) await control.update(next);
    this.#params = next;
  }

  /** Mutes (false) or unmutes the sound sent (the track stays; silence is sent). */
  setAudioEnabled(enabled: boolean): void {
    this.#audio.setEnabled(enabled);
  }

  /** Whether the sound is sent (see `setAudioEnabled`). */
  get audioEnabled(): boolean {
    return this.#audio.enabled;
  }

  /** The video track sent (the latency probe's, when it marks frames); none: audio only. */
  #published(): MediaStreamTrack | undefined {
    return this.#probe?.track ?? this.#source;
  }

  #setState(state: SessionState): void {
    if (this.#state === state || (this.#state === 'ended' && state !== 'ended')) return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Emits an error event (a retryable one while reconnecting: the session keeps trying). */
  #report(error: unknown): void {
    const base = error instanceof BaseError ? error : undefined;
    this.emit('error', {
      code: base?.code ?? 'session_failed',
      message: base?.shortMessage ?? (error instanceof Error ? error.message : String(error)),
      retryable: base?.retryable ?? false,
    });
  }

  /** Reports an error that cannot pass and ends the session. */
  #fail(error: unknown): void {
    this.#report(error);
    void this.close();
  }

  /** One connection attempt; on failure everything it made is closed again. */
  async #connect(): Promise<void> {
    const options = this.#options;
    this.#setState(this.#reconnects > 0 ? 'reconnecting' : 'connecting');
    const pc = this.#createPeer({ iceServers: [], bundlePolicy: 'max-bundle' });
    const video = this.#published();
    const transceiver = video ? pc.addTransceiver(video, { direction: 'sendrecv' }) : undefined;
    const audioTrack = this.#audio.track;
    const link: Link = {
      pc,
      sender: transceiver?.sender,
      audioSender: audioTrack
        ? pc.addTransceiver(audioTrack, { direction: 'sendrecv' }).sender
        : undefined,
      resourceUrl: undefined,
      streamId: undefined,
      control: undefined,
      outputTrack: undefined,
      outputAudioTrack: undefined,
      disconnectedTimer: undefined,
      endedByGateway: false,
    };
    this.#link = link;
    pc.addEventListener('track', (event) => {
      if (this.#link !== link) return;
      if (event.track.kind === 'video') renderAtOnce(event.receiver);
      this.#setOutput(link, event.track);
    });
    pc.addEventListener('connectionstatechange', () => this.#watchPeer(link));
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const answer = await postWhipOffer(pc, {
        gatewayUrl: options.gatewayUrl,
        pipeline: this.pipeline,
        params: this.#params,
        streamKey: options.streamKey,
        timeoutMs: options.connectTimeoutMs,
      });
      link.resourceUrl = answer.resourceUrl;
      link.streamId = answer.streamId;
      this.playbackUrl = answer.playbackUrl;
      this.sourcePlaybackUrl = answer.sourcePlaybackUrl;
      if (this.#closed) throw new SessionError('session_closed', 'The session is closed');
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.answerSdp });
      await waitSessionConnected(pc, options.connectTimeoutMs);
      link.control = await ControlClient.connect({
        gatewayUrl: answer.gatewayUrl,
        streamId: link.streamId ?? '',
        ...(options.streamKey ? { streamKey: options.streamKey } : {}),
        timeoutMs: options.connectTimeoutMs,
      }).catch((error: ControlError) => {
        throw new SessionError(error.code, error.shortMessage, {
          cause: error,
          retryable: error.retryable || error.code === 'control_connect_failed',
        });
      });
      if (this.#closed || this.#link !== link) {
        throw new SessionError('session_closed', 'The session is closed');
      }
      this.#watchControl(link, link.control);
      this.#setState(gatewayState(link.control.state));
    } catch (error) {
      this.#drop(link);
      throw error;
    }
  }

  /** Puts a track the gateway sends (the processed video, or the sound) into `output`. */
  #setOutput(link: Link, track: MediaStreamTrack): void {
    const audio = track.kind === 'audio';
    for (const old of audio ? this.output.getAudioTracks() : this.output.getVideoTracks()) {
      this.output.removeTrack(old);
      if (old !== track) old.stop();
    }
    this.output.addTrack(track);
    if (audio) link.outputAudioTrack = track;
    else {
      link.outputTrack = track;
      this.#probe?.watchOutput(track);
    }
    this.emit('output', this.output);
  }

  #watchPeer(link: Link): void {
    if (this.#link !== link || this.#closed) return;
    const state = link.pc.connectionState;
    clearTimeout(link.disconnectedTimer);
    link.disconnectedTimer = undefined;
    if (state === 'failed') void this.#reconnect('the connection failed');
    else if (state === 'disconnected') {
      link.disconnectedTimer = setTimeout(
        () => void this.#reconnect('the connection was lost'),
        this.#options.disconnectedGraceMs,
      );
    }
  }

  #watchControl(link: Link, control: ControlClient): void {
    const current = () => this.#link === link && !this.#closed;
    control.on('state', (state: StreamState) => {
      if (!current()) return;
      if (state === 'ended') {
        link.endedByGateway = true;
        void this.#reconnect('the gateway ended the stream');
      } else if (!this.#reconnecting) this.#setState(gatewayState(state));
    });
    control.on('stats', (stats) => {
      if (current()) this.#gatewayStats = stats;
    });
    control.on('orchestrator', (info) => {
      if (current()) this.emit('orchestrator', info);
    });
    control.on('payment', (payment) => {
      if (current()) this.emit('payment', payment);
    });
    control.on('error', (error) => {
      if (!current()) return;
      // After a gateway restart the control channel comes back to a gateway without the stream.
      if (error.code === 'stream_not_found') {
        link.endedByGateway = true;
        void this.#reconnect('the gateway lost the stream');
      } else if (error.code === 'gateway_draining') {
        // Publish again at once: the draining gateway sends the offer on to another (307).
        void this.#reconnect('the gateway is draining');
      } else this.emit('error', { ...error, retryable: false });
    });
  }

  /** Closes one connection and everything it made (the output track included). */
  #drop(link: Link): void {
    clearTimeout(link.disconnectedTimer);
    link.control?.removeAllListeners();
    link.control?.close();
    if (link.resourceUrl && !link.endedByGateway) {
      const headers: Record<string, string> = this.#options.streamKey
        ? { authorization: `Bearer ${this.#options.streamKey}` }
        : {};
      void fetch(link.resourceUrl, { method: 'DELETE', headers }).catch(() => {
        // The gateway may be gone: it ends the stream itself when the peer goes.
      });
    }
    link.pc.close();
    for (const track of [link.outputTrack, link.outputAudioTrack]) {
      if (!track) continue;
      this.output.removeTrack(track);
      track.stop();
    }
    if (this.#link === link) this.#link = undefined;
  }

  /** Drops the connection and connects again with backoff, until it works or the session closes. */
  #reconnect(reason: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#reconnecting ??= (async () => {
      this.#setState('reconnecting');
      this.reconnectReason = reason;
      if (this.#link) this.#drop(this.#link);
      let delayMs = this.#options.reconnectDelayMs;
      while (!this.#closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs * (0.8 + Math.random() * 0.4));
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        if (this.#closed) break;
        this.#reconnects++;
        try {
          await this.#connect();
          break;
        } catch (error) {
          if (this.#closed) break;
          if (!(error instanceof BaseError && error.retryable)) {
            this.#reconnecting = undefined;
            this.#fail(error);
            return;
          }
          this.#report(error);
          delayMs = Math.min(delayMs * 2, this.#options.maxReconnectDelayMs);
        }
      }
      this.#reconnecting = undefined;
    })();
    return this.#reconnecting;
  }

  async #tick(): Promise<void> {
    const link = this.#link;
    let fpsSent: number | undefined;
    let fpsReceived: number | undefined;
    let gatewayToPublisher: number | undefined;
    if (link && link.pc.connectionState === 'connected') {
      try {
        const report = await link.pc.getStats();
        for (const stat of report.values()) {
          const s = stat as PeerStat;
          if (s.kind !== undefined && s.kind !== 'video') continue;
          if (s.type === 'outbound-rtp') fpsSent = s.framesPerSecond ?? fpsSent;
          if (s.type === 'inbound-rtp') fpsReceived = s.framesPerSecond ?? fpsReceived;
        }
        const decoder = readDecoderSample(report.values());
        gatewayToPublisher = gatewayToPublisherMs(this.#decoder, decoder);
        this.#decoder = decoder;
      } catch {
        // A peer closed while reading: no local counters this time.
      }
    }
    if (this.#closed) return;
    const latencies = (this.#probe?.takeSamples() ?? []).sort((a, b) => a - b);
    const gateway =
      link?.streamId === this.#gatewayStats?.streamId ? this.#gatewayStats : undefined;
    const latencyMs = median(latencies, 0.5);
    const latencyP95Ms = median(latencies, 0.95);
    this.emit('stats', {
      streamId: link?.streamId,
      fpsIn: gateway?.fpsIn,
      fpsOut: gateway?.fpsOut,
      bitrateInKbps: gateway?.bitrateInKbps,
      bitrateOutKbps: gateway?.bitrateOutKbps,
      pipelineMsP50: gateway?.pipelineMsP50,
      framesDropped: gateway?.framesDropped,
      fpsSent,
      fpsReceived,
      latencyMs: latencyMs === undefined ? undefined : Math.round(latencyMs),
      latencyP95Ms: latencyP95Ms === undefined ? undefined : Math.round(latencyP95Ms),
      latencySamples: latencies.length,
      swaps: gateway?.swaps,
      reconnects: this.#reconnects,
      hops: gateway ? hopsOf(gateway.hops, gatewayToPublisher) : undefined,
    });
  }

  /** Ends the stream on the gateway and closes every connection and track the session made. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    clearInterval(this.#statsTimer);
    if (this.#link) this.#drop(this.#link);
    this.#probe?.close();
    this.#probe = undefined;
    this.#audio.close();
    for (const track of this.output.getTracks()) {
      this.output.removeTrack(track);
      track.stop();
    }
    this.#setState('ended');
  }
}

function gatewayState(state: StreamState): SessionState {
  return state === 'ended' ? 'reconnecting' : state;
}

/**
 * Creates a session (nothing is sent until `publish()`); checks the options first. In Node use
 * the same function from `@peerframe/client-sdk/node`, bound to libwebrtc.
 */
export async function createSession(options: SessionOptions): Promise<Session> {
  if (!options.gatewayUrl || !/^https?:\/\//.test(options.gatewayUrl)) {
    throw new SessionError('invalid_gateway_url', 'gatewayUrl must be an http(s) URL', {
      details: `got ${JSON.stringify(options.gatewayUrl)}`,
    });
  }
  if (!options.pipeline) {
    throw new SessionError('invalid_pipeline', 'pipeline must name a pipeline, e.g. "invert"');
  }
  return new Session(options);
}

/** The gateway's hops (JSON leaves out the undefined ones) with our own last hop. */
function hopsOf(gateway: Partial<HopTimings>, gatewayToPublisher: number | undefined): HopTimings {
  const hops = Object.fromEntries(hopNames.map((name) => [name, gateway[name]])) as Omit<
    HopTimings,
    'frames'
  >;
  return { ...hops, gatewayToPublisher, frames: gateway.frames ?? 0 };
}
