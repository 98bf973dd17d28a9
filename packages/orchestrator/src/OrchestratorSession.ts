import { randomUUID } from 'node:crypto';
import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { epochNowMs, type FrameTimingRecord } from '@peerframe/core/frameTiming';
import { InvalidSdpError } from '@peerframe/core/sdp';
import {
  type I420Image,
  installWrtcExitGuard,
  WrtcVideoSink as VideoSink,
  WrtcVideoSource as VideoSource,
  WrtcPeerConnection,
  type WrtcVideoSink,
  waitForIceGathering,
} from '@peerframe/core/wrtc';
import type { Frame, Pipeline, PipelineParams } from '@peerframe/pipelines';
import { LatestFrameQueue } from './LatestFrameQueue.ts';

export type SessionState = 'connecting' | 'live' | 'closed';

export type SessionStats = {
  framesIn: number;
  framesOut: number;
  /** Frames replaced in the decoder → pipeline queue by a newer one (latest frame wins). */
  framesDropped: number;
  pipelineErrors: number;
  /** Median pipeline time over the last `pipelineTimesKept` (300) frames, ms. */
  pipelineMsP50: number;
};

/** libwebrtc's counters for the session's video: what the decoder got and what the encoder sent. */
export type SessionTransportStats = {
  framesDecoded: number;
  bytesReceived: number;
  packetsLost: number;
  framesEncoded: number;
  bytesSent: number;
  /** Keyframe requests the decoder sent (inbound-rtp) and the encoder received (outbound-rtp). */
  pliSent: number;
  pliReceived: number;
};

/** Frame records a session keeps for the gateway to fetch (about 10 s at 30 fps). */
const frameRecordsKept = 300;

/** Pipeline times a session keeps for its median, `pipelineMsP50` (about 10 s at 30 fps). */
const pipelineTimesKept = 300;

export type OrchestratorSessionEvents = {
  state: [SessionState];
  error: [Error];
};

export type OrchestratorSessionOptions = {
  /** The session's id (default: a random UUID). */
  id?: string;
  /** Frames waiting between decoder and pipeline, 1 or 2 (default 1). */
  queueCapacity?: number;
  /** Called with each frame's pipeline time, ms (metrics). */
  observePipelineMs?: (ms: number) => void;
  /**
   * A peer not connected this long after the answer closes the session, freeing its capacity
   * (a gateway that vanished after POST /sessions), ms (default 15 000).
   */
  connectTimeoutMs?: number;
};

export class PipelineFailedError extends BaseError {
  override name = 'PipelineFailedError';
  constructor(pipeline: string, cause: unknown) {
    super('pipeline_failed', `Pipeline "${pipeline}" failed on a frame`, { cause });
  }
}

/**
 * One gateway stream on this orchestrator: a libwebrtc peer whose decoded I420 frames go through a
 * latest-frame-wins queue into the pipeline, and whose processed frames are encoded back to the
 * gateway on the same (sendrecv) video transceiver.
 */
export class OrchestratorSession extends TypedEmitter<OrchestratorSessionEvents> {
  readonly id: string;
  readonly pipeline: Pipeline;
  readonly answerSdp: string;
  #state: SessionState = 'connecting';
  readonly #pc: RTCPeerConnection;
  readonly #source: InstanceType<typeof VideoSource>;
  readonly #track: MediaStreamTrack;
  #sink: WrtcVideoSink | undefined;
  readonly #queue: LatestFrameQueue<{ image: I420Image; decodedAtMs: number }>;
  readonly #observePipelineMs: ((ms: number) => void) | undefined;
  readonly #connectTimeoutMs: number;
  #connectTimer: NodeJS.Timeout | undefined;
  #injectedDelay: { delayMs: number; until: number } | undefined;
  readonly #log: Logger;
  readonly #pipelineMs: number[] = [];
  readonly #frameRecords: FrameTimingRecord[] = [];
  #framesIn = 0;
  #framesOut = 0;
  #pipelineErrors = 0;
  #loop: Promise<void> | undefined;

  private constructor(
    id: string,
    pc: RTCPeerConnection,
    source: InstanceType<typeof VideoSource>,
    track: MediaStreamTrack,
    pipeline: Pipeline,
    answerSdp: string,
    options: OrchestratorSessionOptions,
  ) {
    super();
    this.id = id;
    this.#pc = pc;
    this.#source = source;
    this.#track = track;
    this.pipeline = pipeline;
    this.answerSdp = answerSdp;
    this.#queue = new LatestFrameQueue(options.queueCapacity ?? 1);
    this.#observePipelineMs = options.observePipelineMs;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.#log = createLogger('orchestrator:session', { sessionId: id, pipeline: pipeline.name });
  }

  /**
   * Answers the gateway's offer. The pipeline must already be created; it is owned (and closed)
   * by the session from here on.
   */
  static async create(
    offerSdp: string,
    pipeline: Pipeline,
    options: OrchestratorSessionOptions = {},
  ): Promise<OrchestratorSession> {
    installWrtcExitGuard();
    const pc = new WrtcPeerConnection({ iceServers: [] });
    const source = new VideoSource();
    const track = source.createTrack();
    try {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
        // The offer's video section is sendrecv: attach the output track to its transceiver.
        pc.addTrack(track);
        await pc.setLocalDescription(await pc.createAnswer());
      } catch (error) {
        // libwebrtc refuses offers it cannot apply (short ICE ufrag, bad fingerprint digest)
        // with a DOMException or TypeError: the offer is at fault, not the node.
        throw new InvalidSdpError(
          `it cannot be answered (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      await waitForIceGathering(pc);
      const sdp = pc.localDescription?.sdp;
      if (!sdp) throw new BaseError('no_local_description', 'libwebrtc produced no answer');
      const session = new OrchestratorSession(
        options.id ?? randomUUID(),
        pc,
        source,
        track,
        pipeline,
        sdp,
        options,
      );
      session.#start();
      return session;
    } catch (error) {
      track.stop();
      pc.close();
      throw error;
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  stats(): SessionStats {
    const sorted = [...this.#pipelineMs].sort((a, b) => a - b);
    return {
      framesIn: this.#framesIn,
      framesOut: this.#framesOut,
      framesDropped: this.#queue.dropped,
      pipelineErrors: this.#pipelineErrors,
      pipelineMsP50: sorted[Math.floor(sorted.length / 2)] ?? 0,
    };
  }

  /**
   * The timing records of processed frames with `seq` above `afterSeq` (at most the last
   * `frameRecordsKept`).
   */
  frameTimings(afterSeq = 0): FrameTimingRecord[] {
    const records = this.#frameRecords;
    const first = records.findIndex((record) => record.seq > afterSeq);
    return first === -1 ? [] : records.slice(first);
  }

  /** libwebrtc's stats of the peer connection (inbound-rtp from the gateway, outbound-rtp back). */
  getStats(): Promise<RTCStatsReport> {
    return this.#pc.getStats();
  }

  async transportStats(): Promise<SessionTransportStats> {
    const stats: SessionTransportStats = {
      framesDecoded: 0,
      bytesReceived: 0,
      packetsLost: 0,
      framesEncoded: 0,
      bytesSent: 0,
      pliSent: 0,
      pliReceived: 0,
    };
    if (this.#state === 'closed') return stats;
    for (const entry of (await this.#pc.getStats()).values()) {
      if (entry.kind !== 'video') continue;
      if (entry.type === 'inbound-rtp') {
        stats.framesDecoded = entry.framesDecoded ?? 0;
        stats.bytesReceived = entry.bytesReceived ?? 0;
        stats.packetsLost = entry.packetsLost ?? 0;
        stats.pliSent = entry.pliCount ?? 0;
      } else if (entry.type === 'outbound-rtp') {
        stats.framesEncoded = entry.framesEncoded ?? 0;
        stats.bytesSent = entry.bytesSent ?? 0;
        stats.pliReceived = entry.pliCount ?? 0;
      }
    }
    return stats;
  }

  async update(params: PipelineParams): Promise<void> {
    await this.pipeline.update(params);
  }

  /**
   * Fault injection (tests): every frame takes `delayMs` longer in the pipeline for `durationMs`,
   * as a model too slow for the frame rate would. The latest-frame queue drops what it cannot take.
   */
  injectPipelineDelay(delayMs: number, durationMs: number): void {
    this.#injectedDelay = { delayMs, until: performance.now() + durationMs };
  }

  #start(): void {
    const pc = this.#pc;
    this.#connectTimer = setTimeout(() => {
      if (this.#state !== 'connecting') return;
      this.#log.warn({ connectTimeoutMs: this.#connectTimeoutMs }, 'peer never connected');
      void this.close();
    }, this.#connectTimeoutMs);
    this.#connectTimer.unref();
    // The remote video track exists once the offer is applied (its 'track' event already fired).
    const receiver = pc.getReceivers().find((r) => r.track.kind === 'video');
    if (receiver) {
      const sink = new VideoSink(receiver.track);
      sink.onframe = ({ frame }) => {
        this.#framesIn++;
        this.#queue.push({ image: frame, decodedAtMs: epochNowMs() });
      };
      this.#sink = sink;
    }
    pc.addEventListener('connectionstatechange', () => {
      const state = pc.connectionState;
      this.#log.debug({ state }, 'peer connection state');
      if (state === 'connected') this.#setState('live');
      if (state === 'failed' || state === 'closed') void this.close();
    });
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    for (;;) {
      const taken = await this.#queue.take();
      if (!taken || this.#state === 'closed') return;
      const { image, decodedAtMs } = taken;
      const startedAtMs = epochNowMs();
      const data =
        image.data instanceof Uint8Array && image.data.constructor === Uint8Array
          ? image.data
          : new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
      const frame: Frame = {
        widthPx: image.width,
        heightPx: image.height,
        format: 'i420',
        data,
        timestampUs: Math.round(performance.now() * 1000),
      };
      const started = performance.now();
      let output: Frame;
      try {
        output = await this.pipeline.process(frame);
        const injected = this.#injectedDelay;
        if (injected && performance.now() < injected.until) {
          await new Promise((resolve) => setTimeout(resolve, injected.delayMs));
        }
      } catch (error) {
        this.#pipelineErrors++;
        if (this.#pipelineErrors === 1 || this.#pipelineErrors % 100 === 0) {
          this.#log.error(
            { err: error, count: this.#pipelineErrors },
            'pipeline failed on a frame',
          );
          this.emit('error', new PipelineFailedError(this.pipeline.name, error));
        }
        continue;
      }
      this.#recordPipelineMs(performance.now() - started);
      // close() may have run while the pipeline worked.
      if ((this.#state as SessionState) === 'closed') return;
      const doneAtMs = epochNowMs();
      this.#source.onFrame({ width: output.widthPx, height: output.heightPx, data: output.data });
      this.#framesOut++;
      this.#frameRecords.push({ seq: this.#framesOut, decodedAtMs, startedAtMs, doneAtMs });
      if (this.#frameRecords.length > frameRecordsKept) this.#frameRecords.shift();
    }
  }

  #recordPipelineMs(ms: number): void {
    this.#observePipelineMs?.(ms);
    this.#pipelineMs.push(ms);
    if (this.#pipelineMs.length > pipelineTimesKept) this.#pipelineMs.shift();
  }

  #setState(state: SessionState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Stops media, closes the peer and the pipeline. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#connectTimer);
    this.#queue.close();
    this.#sink?.stop();
    this.#track.stop();
    this.#pc.close();
    await this.#loop;
    await this.pipeline.close();
    this.#log.info(this.stats(), 'session closed');
  }
}
