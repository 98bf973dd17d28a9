import { type MessagePort, Worker } from 'node:worker_threads';
import { BaseError, TypedEmitter } from '@peerframe/core';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { AudioFrameS16 } from '@peerframe/pipelines';
import type { OrchestratorMediaInfo, OrchestratorTransportStats } from '@peerframe/wire';
import { awaitThreadStart } from '../awaitThreadStart.ts';
import { endThread } from '../endThread.ts';
import { fromThreadError } from '../threadErrors.ts';
import { threadScript } from '../threadScript.ts';
import type { I420Picture } from './CodecEngine.ts';
import type { MediaPeerState } from './MediaPeer.ts';
import type {
  FromMediaThread,
  MediaWorkerData,
  PipelineCounts,
  ToMediaThread,
} from './mediaMessages.ts';
import type { DecodedPicture } from './SessionMedia.ts';

/** A decoded frame of the gateway's audio and how to hand back the pipeline's answer. */
export type MediaAudioFrame = {
  frame: AudioFrameS16;
  /**
   * The processed samples (same length), or undefined when the pipeline failed, and how far they
   * lag the input (the pipeline's `latencyUs`, µs; default 0).
   */
  reply: (data: Int16Array | undefined, latencyUs?: number) => void;
};

export type MediaWorkerEvents = {
  picture: [DecodedPicture];
  audioFrame: [MediaAudioFrame];
  state: [MediaPeerState];
  error: [Error];
  /** Once piped, while the inference thread takes no picture: what the media thread counted. */
  pipeCounts: [PipelineCounts];
};

/** The media thread failed (it threw, or exited before it was closed). */
export class MediaThreadError extends BaseError {
  override name = 'MediaThreadError';
}

/**
 * How long `close()` waits for the media thread to close its leg before terminating it, ms. The
 * thread says `closed` only once its FFmpeg calls in flight have finished and its codecs are
 * freed; terminating it earlier lets a call complete into a dying thread, which aborts the whole
 * process (node-addon-api's `napi_throw` fails fatally in a terminating environment). One frame's
 * call takes milliseconds, so this bound only ends a thread that is stuck, long after any call.
 * Ending a thread stuck so (idle in JavaScript, its leg closed, its codecs open) leaves the other
 * sessions' media threads running: with two audio sessions in one process, one held and
 * terminated, every Opus packet the other received after was still decoded, processed and encoded
 * (audioOnly.test's mediasoup failover once read otherwise: its publisher's ICE consent had run
 * out, 30 s in, while the old session's close hung; see "ICE consent" in docs/architecture.md).
 */
const closeTimeoutMs = 30_000;

/**
 * One session's media thread seen from the main thread: answers the gateway's offer there (or, for
 * a publisher, offers and accepts the answer), receives its decoded pictures (`picture`, the
 * buffer handed over without a copy) and sends it the pictures to encode. Started ahead of need by
 * `MediaWorkerPool` (loading werift and FFmpeg takes ~1 s on a busy 2-core machine), used by one
 * session, then terminated.
 */
export class MediaWorker extends TypedEmitter<MediaWorkerEvents> {
  readonly #worker: Worker;
  readonly #pendingStats = new Map<
    number,
    (stats: OrchestratorTransportStats | undefined) => void
  >();
  #nextStatsId = 1;
  /** The reply awaited for the set-up step in flight (answer, offer or accept). */
  #replied: ((result: { sdp: string } | { error: BaseError }) => void) | undefined;
  #closed: (() => void) | undefined;
  #closing = false;
  #exited = false;

  private constructor(worker: Worker) {
    super();
    this.#worker = worker;
    worker.on('message', (message: FromMediaThread) => this.#onMessage(message));
    worker.on('error', (error) => {
      this.emit(
        'error',
        new MediaThreadError('media_thread_failed', `The media thread failed: ${error.message}`, {
          cause: error,
        }),
      );
    });
    worker.on('exit', (code) => {
      this.#exited = true;
      this.#replied?.({
        error: new MediaThreadError('media_thread_exited', `The media thread exited (${code})`),
      });
      this.#closed?.();
      if (!this.#closing) this.emit('state', 'failed');
    });
  }

  /**
   * Starts a media thread and resolves once it has loaded its modules (and, with `warmUp`, made
   * its DTLS certificate and loaded the codec libraries: see `warmUpMediaThread`).
   */
  static spawn(
    engineInfo: OrchestratorMediaInfo,
    options: { warmUp?: boolean } = {},
  ): Promise<MediaWorker> {
    const { url, execArgv } = threadScript('mediaThreadMain', import.meta.url);
    const worker = new Worker(url, {
      workerData: { engineInfo, warmUp: options.warmUp ?? false } satisfies MediaWorkerData,
      execArgv,
    });
    return awaitThreadStart(
      worker,
      (message: FromMediaThread) =>
        message.type === 'ready' ? new MediaWorker(worker) : undefined,
      (why) =>
        'error' in why
          ? new MediaThreadError(
              'media_thread_failed',
              `The media thread did not start: ${why.error.message}`,
              { cause: why.error },
            )
          : new MediaThreadError(
              'media_thread_exited',
              `The media thread exited at start (${why.exitCode})`,
            ),
    );
  }

  /** Answers the gateway's offer on the media thread; returns the answer. */
  answer(
    offerSdp: string,
    options: {
      hostAddress?: string | undefined;
      fps?: number | undefined;
      /** Answer the offer's Opus too, and emit its frames as `audioFrame` (default false). */
      audio?: boolean | undefined;
    } = {},
  ): Promise<string> {
    return this.#step({
      type: 'answer',
      offerSdp,
      hostAddress: options.hostAddress,
      fps: options.fps,
      audio: options.audio ?? false,
    });
  }

  /** A publisher's media on the media thread: offers `codec`; returns the offer. */
  offer(
    codec: VideoCodecChoice,
    options: { hostAddress?: string | undefined } = {},
  ): Promise<string> {
    return this.#step({ type: 'offer', codec, hostAddress: options.hostAddress });
  }

  /** Applies the answer to `offer()`'s offer. */
  async accept(answerSdp: string): Promise<void> {
    await this.#step({ type: 'accept', answerSdp });
  }

  async #step(message: ToMediaThread): Promise<string> {
    if (this.#exited) throw new MediaThreadError('media_thread_exited', 'The media thread is gone');
    const result = await new Promise<{ sdp: string } | { error: BaseError }>((resolve) => {
      this.#replied = resolve;
      this.#post(message);
    });
    this.#replied = undefined;
    if ('error' in result) throw result.error;
    return result.sdp;
  }

  /**
   * Hands a processed picture to the encoder. `transfer`: the picture's buffer is ours to give
   * (it came from the media thread), so it moves without a copy; otherwise it is copied.
   */
  send(picture: I420Picture, doneAtMs: number, transfer: boolean): void {
    if (this.#closing || this.#exited) return;
    const { widthPx, heightPx, data } = picture;
    const whole =
      transfer &&
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength &&
      data.buffer instanceof ArrayBuffer;
    this.#post(
      { type: 'send', widthPx, heightPx, data, doneAtMs },
      whole ? [data.buffer as ArrayBuffer] : [],
    );
  }

  /**
   * Sends decoded pictures from now on to the inference thread at the other end of `port` (which
   * moves to the media thread), and takes processed ones back from it: frames then skip this
   * thread, and `picture` is no longer emitted. `queueCapacity` (1 or 2): pictures kept while the
   * inference thread is busy, the newest winning.
   */
  pipe(port: MessagePort, queueCapacity: number): void {
    if (this.#closing || this.#exited) {
      port.close();
      return;
    }
    this.#worker.postMessage({ type: 'pipe', port, queueCapacity } satisfies ToMediaThread, [port]);
  }

  /** The media thread's counters (none once it is gone, or for an audio-only session). */
  stats(): Promise<OrchestratorTransportStats | undefined> {
    if (this.#closing || this.#exited) return Promise.resolve(undefined);
    const id = this.#nextStatsId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingStats.delete(id);
        resolve(undefined);
      }, 1000);
      this.#pendingStats.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.#post({ type: 'stats', id });
    });
  }

  #post(message: ToMediaThread, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #onMessage(message: FromMediaThread): void {
    switch (message.type) {
      case 'answered':
        this.#replied?.({ sdp: message.answerSdp });
        return;
      case 'offered':
        this.#replied?.({ sdp: message.offerSdp });
        return;
      case 'accepted':
        this.#replied?.({ sdp: '' });
        return;
      case 'failed':
        this.#replied?.({ error: fromThreadError(message.error) });
        return;
      case 'picture': {
        const { widthPx, heightPx, data, decodedAtMs, rtpTimestamp } = message;
        this.emit('picture', { widthPx, heightPx, data, decodedAtMs, rtpTimestamp });
        return;
      }
      case 'audioFrame': {
        const { id, channels, data, timestampUs } = message;
        const frame: AudioFrameS16 = {
          sampleRateHz: 48_000,
          channels,
          format: 's16',
          data,
          timestampUs,
        };
        const reply = (out: Int16Array | undefined, latencyUs = 0) => {
          if (this.#closing || this.#exited) return;
          this.#post({ type: 'audioProcessed', id, data: out, latencyUs });
        };
        this.emit('audioFrame', { frame, reply });
        return;
      }
      case 'state':
        this.emit('state', message.state);
        return;
      case 'error':
        this.emit('error', fromThreadError(message.error));
        return;
      case 'stats':
        this.#pendingStats.get(message.id)?.(message.stats);
        this.#pendingStats.delete(message.id);
        return;
      case 'pipeCounts':
        this.emit('pipeCounts', {
          framesIn: message.framesIn,
          framesDropped: message.framesDropped,
        });
        return;
      case 'closed':
        this.#closed?.();
        return;
      case 'ready':
        return;
    }
  }

  /**
   * Closes the session's leg on the media thread, then ends the thread: `terminate()` is safe once
   * the thread said `closed` (no FFmpeg call in flight, codecs freed). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await endThread(
      this.#worker,
      this.#exited,
      (closed) => {
        this.#closed = closed;
        this.#post({ type: 'close' });
      },
      closeTimeoutMs,
    );
  }
}
