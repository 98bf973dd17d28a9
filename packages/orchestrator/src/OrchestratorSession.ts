import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { epochNowMs, type FrameTimingRecord } from '@peerframe/core/frameTiming';
import type { AudioPipeline, Frame, Pipeline, PipelineParams } from '@peerframe/pipelines';
import type {
  OrchestratorSessionState,
  OrchestratorSessionStats,
  OrchestratorTransportStats,
} from '@peerframe/wire';
import type { PortFrameReport } from './inference/inferenceMessages.ts';
import { ThreadedPipeline } from './inference/ThreadedPipeline.ts';
import { LatestFrameQueue } from './LatestFrameQueue.ts';
import { checkIceAndDtls } from './media/checkIceAndDtls.ts';
import type { MediaWorker } from './media/MediaWorker.ts';
import type { DecodedPicture } from './media/SessionMedia.ts';

/** Frame records a session keeps for the gateway to fetch (about 10 s at 30 fps). */
const frameRecordsKept = 300;

/** Pipeline times a session keeps for its median, `pipelineMsP50` (about 10 s at 30 fps). */
const pipelineTimesKept = 300;

export type OrchestratorSessionEvents = {
  state: [OrchestratorSessionState];
  error: [Error];
};

/** Where a session's media thread comes from (a `MediaWorkerPool`). */
export type MediaThreadSource = { take(): Promise<MediaWorker> };

export type OrchestratorSessionOptions = {
  /** The session's id (default: a random UUID). */
  id?: string;
  /** Media threads (the orchestrator's pool). */
  media: MediaThreadSource;
  /** Extra host address for ICE (default 127.0.0.1). */
  hostAddress?: string | undefined;
  /** Frames waiting between decoder and pipeline, 1 or 2 (default 1). */
  queueCapacity?: number;
  /** Called with each frame's pipeline time, ms (metrics). */
  observePipelineMs?: (ms: number) => void;
  /**
   * A peer not connected this long after the answer closes the session, freeing its capacity
   * (a gateway that vanished after POST /sessions), ms (default 15 000).
   */
  connectTimeoutMs?: number;
  /**
   * The audio part of a pipeline that processes audio: the offer's Opus is answered, and its
   * decoded frames run through it on this thread (owned and closed by the session from here on).
   * May still be in the making (see `create`).
   */
  audioPipeline?: AudioPipeline | Promise<AudioPipeline> | undefined;
};

export class PipelineFailedError extends BaseError {
  override name = 'PipelineFailedError';
  constructor(pipeline: string, cause: unknown) {
    super('pipeline_failed', `Pipeline "${pipeline}" failed on a frame`, { cause });
  }
}

/**
 * One gateway stream on this orchestrator. Its media (the werift leg, RTP, decoder, encoder) runs
 * on its own media thread. A pipeline on its own inference thread (`ThreadedPipeline`, what the
 * orchestrator's registry builds) gets the decoded I420 pictures straight from the media thread
 * and sends its output straight back to it to be encoded and sent on the same (sendrecv) video
 * transceiver: frames never wait for this thread, which keeps the control (params, errors,
 * close) and counts the frames from the inference thread's reports. A pipeline on this thread
 * (one made in code, or wrapped by fault injection) gets the pictures here through a
 * latest-frame-wins queue. Decode, inference and encode of successive frames overlap. An
 * audio-only session (no video pipeline, an offer with Opus alone) runs its audio pipeline only.
 */
export class OrchestratorSession extends TypedEmitter<OrchestratorSessionEvents> {
  readonly id: string;
  /** The video pipeline, or for an audio-only session the audio one (named alike). */
  readonly pipeline: Pipeline | AudioPipeline;
  /** The video pipeline; undefined for an audio-only session. */
  readonly #video: Pipeline | undefined;
  readonly answerSdp: string;
  #state: OrchestratorSessionState = 'connecting';
  readonly #media: MediaWorker;
  readonly #queue: LatestFrameQueue<DecodedPicture>;
  readonly #queueCapacity: number;
  /** Frames dropped before the pipeline, as the media thread counts them (piped sessions). */
  #pipedDropped: number | undefined;
  readonly #observePipelineMs: ((ms: number) => void) | undefined;
  readonly #connectTimeoutMs: number;
  readonly #audioPipeline: AudioPipeline | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  readonly #log: Logger;
  readonly #pipelineMs: number[] = [];
  readonly #frameRecords: FrameTimingRecord[] = [];
  #framesIn = 0;
  #framesOut = 0;
  #pixelsOut = 0;
  #liveSinceMs: number | undefined;
  #pipelineErrors = 0;
  #loop: Promise<void> | undefined;
  #lastTransport: OrchestratorTransportStats | undefined;

  private constructor(
    id: string,
    media: MediaWorker,
    pipeline: Pipeline | AudioPipeline,
    video: Pipeline | undefined,
    audioPipeline: AudioPipeline | undefined,
    answerSdp: string,
    options: OrchestratorSessionOptions,
  ) {
    super();
    this.id = id;
    this.#media = media;
    this.pipeline = pipeline;
    this.#video = video;
    this.answerSdp = answerSdp;
    this.#queueCapacity = options.queueCapacity ?? 1;
    this.#queue = new LatestFrameQueue(this.#queueCapacity);
    this.#observePipelineMs = options.observePipelineMs;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.#audioPipeline = audioPipeline;
    this.#log = createLogger('orchestrator:session', { sessionId: id, pipeline: pipeline.name });
  }

  /**
   * Answers the gateway's offer on a media thread. The pipelines may still be in the making
   * (promises): the answer does not wait for them, only the session does. Once made, they are
   * owned (and closed) by the session; when `create` fails (having waited for every promise),
   * closing them is the caller's. Without a video pipeline (an audio-only session) the offer must
   * carry Opus alone and `options.audioPipeline` processes it.
   */
  static async create(
    offerSdp: string,
    pipeline: Pipeline | Promise<Pipeline | undefined> | undefined,
    options: OrchestratorSessionOptions,
  ): Promise<OrchestratorSession> {
    const made = Promise.all([pipeline, options.audioPipeline]);
    made.catch(() => undefined); // awaited below, or after a failed answer
    let media: MediaWorker | undefined;
    try {
      if (!pipeline && !options.audioPipeline)
        throw new TypeError('A session needs a video or an audio pipeline');
      checkIceAndDtls(offerSdp);
      media = await options.media.take();
      const answerSdp = await media.answer(offerSdp, {
        hostAddress: options.hostAddress,
        audio: options.audioPipeline !== undefined,
      });
      const [video, audio] = await made;
      const named = video ?? audio;
      if (!named) throw new TypeError('A session needs a video or an audio pipeline');
      const session = new OrchestratorSession(
        options.id ?? randomUUID(),
        media,
        named,
        video,
        audio,
        answerSdp,
        options,
      );
      session.#start();
      return session;
    } catch (error) {
      await made.catch(() => undefined);
      await media?.close();
      throw error;
    }
  }

  get state(): OrchestratorSessionState {
    return this.#state;
  }

  stats(): OrchestratorSessionStats {
    const sorted = [...this.#pipelineMs].sort((a, b) => a - b);
    return {
      framesIn: this.#framesIn,
      framesOut: this.#framesOut,
      framesDropped: this.#pipedDropped ?? this.#queue.dropped,
      pipelineErrors: this.#pipelineErrors,
      pipelineMsP50: sorted[Math.floor(sorted.length / 2)] ?? 0,
    };
  }

  /** What the session used so far: seconds since its media connected, pixels it sent. */
  usage(): { seconds: number; pixels: number; framesOut: number } {
    const since = this.#liveSinceMs;
    return {
      seconds: since === undefined ? 0 : (performance.now() - since) / 1000,
      pixels: this.#pixelsOut,
      framesOut: this.#framesOut,
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

  /** The media thread's counters (the last ones seen, once the session closed). */
  async transportStats(): Promise<OrchestratorTransportStats | undefined> {
    if (this.#state !== 'closed')
      this.#lastTransport = (await this.#media.stats()) ?? this.#lastTransport;
    return this.#lastTransport;
  }

  async update(params: PipelineParams): Promise<void> {
    await this.#video?.update(params);
    await this.#audioPipeline?.update(params);
  }

  #start(): void {
    this.#connectTimer = setTimeout(() => {
      if (this.#state !== 'connecting') return;
      this.#log.warn({ connectTimeoutMs: this.#connectTimeoutMs }, 'peer never connected');
      void this.close();
    }, this.#connectTimeoutMs);
    this.#connectTimer.unref();
    const media = this.#media;
    media.on('state', (state) => {
      this.#log.debug({ state }, 'media state');
      if (state === 'connected') this.#setState('live');
      if (state === 'failed' || state === 'closed') void this.close();
    });
    media.on('error', (error) => this.#log.error({ err: error }, 'media thread error'));
    const audio = this.#audioPipeline;
    if (audio) {
      // Frames come one at a time (the media thread awaits each answer): the pipeline's state
      // sees them in order.
      media.on('audioFrame', ({ frame, reply }) => {
        audio.process(frame).then(
          (out) => reply(out.format === 's16' ? out.data : undefined, audio.latencyUs),
          (error: unknown) => {
            this.#log.debug({ err: error }, 'audio pipeline failed on a frame');
            reply(undefined);
          },
        );
      });
    }
    const video = this.#video;
    if (video instanceof ThreadedPipeline) this.#pipe(video);
    else if (video) {
      media.on('picture', (picture) => {
        this.#framesIn++;
        this.#queue.push(picture);
      });
      this.#loop = this.#run(video);
    }
  }

  /** Frames go from the media thread to the inference thread and back, never through here. */
  #pipe(video: ThreadedPipeline): void {
    const { port1, port2 } = new MessageChannel();
    this.#pipedDropped = 0;
    video.attachFrames(port2, {
      onFrame: (report) => this.#onPipedFrame(report),
      onFailed: (error, counts) => {
        if (counts) this.#countPiped(counts);
        this.#pipelineFailed(video, error);
      },
    });
    // The frame reports stop while the pipeline is stuck; the media thread's counts do not.
    this.#media.on('pipeCounts', (counts) => this.#countPiped(counts));
    this.#media.pipe(port1, this.#queueCapacity);
  }

  /** The media thread's counts as of a frame's report (reports may overtake one another). */
  #countPiped(counts: { framesIn: number; framesDropped: number }): void {
    this.#framesIn = Math.max(this.#framesIn, counts.framesIn);
    this.#pipedDropped = Math.max(this.#pipedDropped ?? 0, counts.framesDropped);
  }

  #onPipedFrame(report: PortFrameReport): void {
    this.#countPiped(report);
    this.#recordPipelineMs(report.pipelineMs);
    if (this.#state === 'closed') return;
    this.#frameOut(report.widthPx, report.heightPx, {
      ...report,
      sourceRtpTimestamp: report.rtpTimestamp,
    });
  }

  #frameOut(
    widthPx: number,
    heightPx: number,
    times: {
      decodedAtMs: number;
      startedAtMs: number;
      doneAtMs: number;
      sourceRtpTimestamp: number;
    },
  ): void {
    this.#framesOut++;
    this.#pixelsOut += widthPx * heightPx;
    const { decodedAtMs, startedAtMs, doneAtMs, sourceRtpTimestamp } = times;
    this.#frameRecords.push({
      seq: this.#framesOut,
      decodedAtMs,
      startedAtMs,
      doneAtMs,
      sourceRtpTimestamp,
    });
    if (this.#frameRecords.length > frameRecordsKept) this.#frameRecords.shift();
  }

  #pipelineFailed(video: Pipeline, error: Error): void {
    this.#pipelineErrors++;
    if (this.#pipelineErrors === 1 || this.#pipelineErrors % 100 === 0) {
      this.#log.error({ err: error, count: this.#pipelineErrors }, 'pipeline failed on a frame');
      this.emit('error', new PipelineFailedError(video.name, error));
    }
  }

  async #run(video: Pipeline): Promise<void> {
    for (;;) {
      const picture = await this.#queue.take();
      if (!picture || this.#state === 'closed') return;
      const { decodedAtMs, rtpTimestamp: sourceRtpTimestamp } = picture;
      const startedAtMs = epochNowMs();
      const frame: Frame = {
        widthPx: picture.widthPx,
        heightPx: picture.heightPx,
        format: 'i420',
        data: picture.data,
        timestampUs: Math.round(performance.now() * 1000),
      };
      const started = performance.now();
      let output: Frame;
      try {
        output = await video.process(frame);
      } catch (error) {
        this.#pipelineFailed(video, error as Error);
        continue;
      }
      this.#recordPipelineMs(performance.now() - started);
      // close() may have run while the pipeline worked.
      if ((this.#state as OrchestratorSessionState) === 'closed') return;
      const doneAtMs = epochNowMs();
      // A picture the pipeline passed through is still the media thread's buffer, and a picture
      // that went to an inference thread (its buffer moved there) came back in one of ours: either
      // goes to the media thread without a copy. Anything else may belong to the pipeline (a
      // reused output) and is copied.
      const ours =
        output.data.buffer === picture.data.buffer || picture.data.buffer.byteLength === 0;
      this.#media.send(output, doneAtMs, ours);
      this.#frameOut(output.widthPx, output.heightPx, {
        decodedAtMs,
        startedAtMs,
        doneAtMs,
        sourceRtpTimestamp,
      });
    }
  }

  #recordPipelineMs(ms: number): void {
    this.#observePipelineMs?.(ms);
    this.#pipelineMs.push(ms);
    if (this.#pipelineMs.length > pipelineTimesKept) this.#pipelineMs.shift();
  }

  #setState(state: OrchestratorSessionState): void {
    if (this.#state === state || this.#state === 'closed') return;
    if (state === 'live') this.#liveSinceMs = performance.now();
    this.#state = state;
    this.emit('state', state);
  }

  /** Stops media (the media thread ends), closes the pipeline. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#connectTimer);
    this.#queue.close();
    this.#lastTransport = (await this.#media.stats()) ?? this.#lastTransport;
    await this.#media.close();
    await this.#loop;
    await this.#video?.close();
    await this.#audioPipeline?.close();
    this.#log.info(this.stats(), 'session closed');
  }
}
