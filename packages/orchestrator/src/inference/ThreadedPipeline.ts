import type { MessagePort, Worker } from 'node:worker_threads';
import {
  type Frame,
  type Pipeline,
  PipelineClosedError,
  type PipelineCreateHooks,
  type PipelineParams,
  type PipelineState,
} from '@peerframe/pipelines';
import { type ExecutionProviderName, InvalidPipelineParamsError } from '@peerframe/wire';
import { awaitThreadStart } from '../awaitThreadStart.ts';
import { endThread } from '../endThread.ts';
import { fromThreadError } from '../threadErrors.ts';
import { InferenceThreadError } from './InferenceThreadError.ts';
import type {
  FromInferenceThread,
  InferenceBuild,
  PortFrameReport,
  ToInferenceThread,
} from './inferenceMessages.ts';

/** What a session hears of the frames its media thread sends straight to the inference thread. */
export type PortFrameHooks = {
  /** A frame ran and went back to the media thread. */
  onFrame: (report: PortFrameReport) => void;
  /**
   * A frame failed (the pipeline runs on), or the thread is gone (no frame runs any more:
   * `state` is then `error`). Counts as the media thread had them when it sent the frame.
   */
  onFailed: (error: Error, counts?: { framesIn: number; framesDropped: number }) => void;
};

/**
 * How long `close()` waits for the thread to close its pipeline (a frame in flight finishes
 * first) before terminating it, ms: it only ends a thread that is stuck.
 */
const closeTimeoutMs = 30_000;

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

/**
 * A pipeline that runs on its own inference thread (worker_threads): the thread loads the package
 * and builds the pipeline with the registry's code (`inferenceThreadMain`), so neither the build
 * (model load, session creation, warm-up frames) nor any frame's nodes run on the main thread.
 * Frames cross as transferred buffers, never copies on the way; params, errors and close are
 * messages. A session's frames can skip this thread altogether: `attachFrames` hands the
 * inference thread a channel to the session's media thread. One instance, one thread: `close()`
 * (idempotent) ends it.
 */
export class ThreadedPipeline implements Pipeline {
  readonly name: string;
  readonly #worker: Worker;
  #state: PipelineState = 'ready';
  #executionProviders: readonly ExecutionProviderName[];
  #params: Record<string, unknown> | undefined;
  /** The frame in flight (one at a time, as `Pipeline.process` requires). */
  #processing: Waiter<Frame> | undefined;
  readonly #updates = new Map<number, Waiter<void>>();
  #nextUpdateId = 1;
  #closedByThread: (() => void) | undefined;
  /** Set once frames come from a media thread's channel instead of `process`. */
  #attached: PortFrameHooks | undefined;
  #closing: Promise<void> | undefined;
  #exited = false;

  private constructor(
    name: string,
    worker: Worker,
    executionProviders: readonly ExecutionProviderName[],
    params: Record<string, unknown> | undefined,
  ) {
    this.name = name;
    this.#worker = worker;
    this.#executionProviders = executionProviders;
    this.#params = params;
    worker.on('message', (message: FromInferenceThread) => this.#onMessage(message));
    worker.on('error', (error) => this.#fail(`The inference thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      this.#exited = true;
      this.#closedByThread?.();
      if (!this.#closing) this.#fail(`The inference thread exited (${code})`);
    });
  }

  /**
   * Has a loaded inference thread (`threads`) build pipeline `name` from `build`, and resolves
   * once it is ready (its build's `loading` and `warming` reported to `hooks`); a failed build
   * rejects with the thread's error, the thread ended.
   */
  static async create(
    name: string,
    threads: { take(pipeline: string): Promise<Worker> },
    build: InferenceBuild,
    hooks: PipelineCreateHooks = {},
  ): Promise<ThreadedPipeline> {
    const worker = await threads.take(name);
    const built = awaitThreadStart<FromInferenceThread, ThreadedPipeline>(
      worker,
      (message) => {
        if (message.type === 'state') hooks.onState?.(message.state);
        if (message.type === 'buildFailed') return fromThreadError(message.error);
        if (message.type !== 'built') return undefined;
        return new ThreadedPipeline(name, worker, message.executionProviders, message.params);
      },
      (why) =>
        'error' in why
          ? new InferenceThreadError(
              'inference_thread_failed',
              `The inference thread of "${name}" failed: ${why.error.message}`,
              { cause: why.error },
            )
          : new InferenceThreadError(
              'inference_thread_exited',
              `The inference thread of "${name}" exited while building (${why.exitCode})`,
            ),
    );
    worker.postMessage({ type: 'build', ...build } satisfies ToInferenceThread);
    return built;
  }

  get state(): PipelineState {
    return this.#state;
  }

  get executionProviders(): readonly ExecutionProviderName[] {
    return this.#executionProviders;
  }

  /** The pipeline's params as its thread last reported them (after its build or an update). */
  get params(): Record<string, unknown> | undefined {
    return this.#params;
  }

  /** The inference thread's id (`worker_threads.threadId` there). */
  get threadId(): number {
    return this.#worker.threadId;
  }

  /**
   * Runs a frame on the inference thread. Its buffer moves there (transferred: the caller's view
   * is emptied) when the frame owns it whole, else it is copied once; the output comes back as a
   * buffer the caller owns.
   */
  process(frame: Frame): Promise<Frame> {
    if (this.#state !== 'ready') return Promise.reject(this.#unavailable());
    if (this.#attached)
      return Promise.reject(new TypeError('Its frames come from a media thread (attachFrames)'));
    if (this.#processing) return Promise.reject(new TypeError('One frame at a time'));
    const { widthPx, heightPx, data, timestampUs } = frame;
    const whole =
      data.byteOffset === 0 &&
      data.byteLength === data.buffer.byteLength &&
      data.buffer instanceof ArrayBuffer;
    const sent = whole ? data : data.slice();
    return new Promise((resolve, reject) => {
      this.#processing = { resolve, reject };
      this.#post({ type: 'process', widthPx, heightPx, data: sent, timestampUs }, [
        sent.buffer as ArrayBuffer,
      ]);
    });
  }

  /**
   * Has the inference thread take its frames from the media thread at the other end of `port`
   * (`MediaWorker.pipe`) and send the results straight back there; `process` is refused from
   * then on, and `hooks` hear of each frame. Params, errors and close stay with this thread.
   */
  attachFrames(port: MessagePort, hooks: PortFrameHooks): void {
    if (this.#state !== 'ready' || this.#attached) {
      port.close();
      if (this.#state !== 'ready') hooks.onFailed(this.#unavailable());
      else throw new TypeError('Frames already come from a media thread');
      return;
    }
    this.#attached = hooks;
    this.#worker.postMessage({ type: 'attach', port } satisfies ToInferenceThread, [port]);
  }

  /** Applies new params between frames on the inference thread; rejects with its error. */
  update(params: PipelineParams): Promise<void> {
    if (this.#state !== 'ready') return Promise.reject(this.#unavailable());
    const id = this.#nextUpdateId++;
    return new Promise((resolve, reject) => {
      try {
        this.#post({ type: 'update', id, params });
      } catch (error) {
        // Params the thread cannot be sent (nested too deep to copy) are the caller's to fix.
        reject(
          new InvalidPipelineParamsError(
            `The ${this.name} pipeline params cannot be passed to its thread (${(error as Error).message})`,
            { cause: error },
          ),
        );
        return;
      }
      this.#updates.set(id, { resolve, reject });
    });
  }

  #unavailable(): Error {
    return this.#state === 'closed'
      ? new PipelineClosedError(this.name)
      : new InferenceThreadError(
          'inference_thread_exited',
          `The inference thread of "${this.name}" is gone`,
        );
  }

  #post(message: ToInferenceThread, transfer: ArrayBuffer[] = []): void {
    this.#worker.postMessage(message, transfer);
  }

  #onMessage(message: FromInferenceThread): void {
    switch (message.type) {
      case 'processed': {
        const waiter = this.#processing;
        this.#processing = undefined;
        const { widthPx, heightPx, data, timestampUs } = message;
        waiter?.resolve({ widthPx, heightPx, format: 'i420', data, timestampUs });
        return;
      }
      case 'processFailed': {
        const waiter = this.#processing;
        this.#processing = undefined;
        waiter?.reject(fromThreadError(message.error));
        return;
      }
      case 'frameDone': {
        const { type: _, ...report } = message;
        this.#attached?.onFrame(report);
        return;
      }
      case 'frameFailed': {
        const { framesIn, framesDropped } = message;
        this.#attached?.onFailed(fromThreadError(message.error), { framesIn, framesDropped });
        return;
      }
      case 'updated': {
        const waiter = this.#updates.get(message.id);
        this.#updates.delete(message.id);
        if (message.error) waiter?.reject(fromThreadError(message.error));
        else {
          if (message.params) this.#params = message.params;
          waiter?.resolve();
        }
        return;
      }
      case 'closed':
        this.#closedByThread?.();
        return;
      case 'state':
      case 'built':
      case 'buildFailed':
        return;
    }
  }

  /** The thread is gone or broken: what waits on it fails, and so does anything after. */
  #fail(message: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'error';
    const error = new InferenceThreadError('inference_thread_failed', message);
    this.#processing?.reject(error);
    this.#processing = undefined;
    for (const waiter of this.#updates.values()) waiter.reject(error);
    this.#updates.clear();
    this.#attached?.onFailed(error);
  }

  /**
   * Closes the pipeline on its thread (after the frame in flight), then ends the thread.
   * Idempotent; resolves once the thread has exited.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#state = 'closed';
    await endThread(
      this.#worker,
      this.#exited,
      (closed) => {
        this.#closedByThread = closed;
        this.#post({ type: 'close' });
      },
      closeTimeoutMs,
    );
    const error = new PipelineClosedError(this.name);
    this.#processing?.reject(error);
    this.#processing = undefined;
    for (const waiter of this.#updates.values()) waiter.reject(error);
    this.#updates.clear();
  }
}
