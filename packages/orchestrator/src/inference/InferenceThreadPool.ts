import { Worker } from 'node:worker_threads';
import { createLogger } from '@peerframe/core';
import { awaitThreadStart } from '../awaitThreadStart.ts';
import { SparePool } from '../SparePool.ts';
import { threadScript } from '../threadScript.ts';
import { InferenceThreadError } from './InferenceThreadError.ts';
import type { FromInferenceThread } from './inferenceMessages.ts';

export type InferenceThreadPoolOptions = {
  /** Threads kept loaded ahead of the next build (default 1; 0 starts each on demand). */
  spares?: number;
  /**
   * Starts the spares at once (true), or only after the first build took a thread (default): an
   * orchestrator that runs no video pipeline (audio only, a control or payments node, most tests)
   * never loads onnxruntime on a thread it does not use; the first build starts its own thread.
   */
  sparesAtStart?: boolean;
  /**
   * How long after a build took a spare its replacement starts, ms (default 3000): loading
   * onnxruntime and the pipeline modules takes a core for a second or more, which the build that
   * took the spare needs.
   */
  refillDelayMs?: number;
};

/**
 * Inference threads started ahead of need: a new thread loads onnxruntime and the pipeline
 * modules (1–3 s on a busy 2-core machine), which a pipeline's build must not wait for. `take()`
 * hands out a loaded thread (it waits for its `build`) and starts its replacement a little later;
 * each thread builds and runs one pipeline and ends with it.
 */
export class InferenceThreadPool {
  readonly #pool: SparePool<Worker>;

  constructor(options: InferenceThreadPoolOptions = {}) {
    this.#pool = new SparePool({
      spares: options.spares ?? 1,
      refillDelayMs: options.refillDelayMs ?? 3000,
      startOnFirstTake: !options.sparesAtStart,
      start: () => InferenceThreadPool.#spawn(undefined),
      end: (spare) => spare.terminate(),
      log: createLogger('orchestrator:inference-threads'),
      what: 'inference thread',
    });
  }

  /** A loaded inference thread for `pipeline` (a spare, else one started now). */
  take(pipeline: string): Promise<Worker> {
    return this.#pool.take(() => InferenceThreadPool.#spawn(pipeline));
  }

  /**
   * Starts the missing spares now (a replacement waiting for `refillDelayMs` included); resolves
   * once they have loaded (or failed to).
   */
  fill(): Promise<void> {
    return this.#pool.fill();
  }

  /**
   * Linux names the thread after the Worker (15 characters), and threads it starts inherit it:
   * `inference <pipeline>` for one started on demand, `inference` for a spare.
   */
  static #spawn(pipeline: string | undefined): Promise<Worker> {
    const { url, execArgv } = threadScript('inferenceThreadMain', import.meta.url);
    const name = pipeline === undefined ? 'inference' : `inference ${pipeline}`;
    const worker = new Worker(url, { execArgv, name });
    return awaitThreadStart<FromInferenceThread, Worker>(
      worker,
      (message) => (message.type === 'loaded' ? worker : undefined),
      (why) =>
        'error' in why
          ? new InferenceThreadError(
              'inference_thread_failed',
              `An inference thread did not start: ${why.error.message}`,
              { cause: why.error },
            )
          : new InferenceThreadError(
              'inference_thread_exited',
              `An inference thread exited at start (${why.exitCode})`,
            ),
    );
  }

  /** Ends the spare threads (threads taken belong to their pipelines). Idempotent. */
  close(): Promise<void> {
    return this.#pool.close();
  }
}
