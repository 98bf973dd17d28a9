import type { Worker } from 'node:worker_threads';

/** Why a thread did not start: it threw, or it exited. */
export type ThreadStartFailure = { error: Error } | { exitCode: number };

/**
 * Waits for a new worker thread to say it started. `read` looks at each message: a value resolves,
 * an `Error` rejects, `undefined` waits on. An error thrown in the thread, or its exit, rejects
 * with `failed(why)`. A thread that did not start is terminated.
 */
export function awaitThreadStart<M, T>(
  worker: Worker,
  read: (message: M) => T | Error | undefined,
  failed: (why: ThreadStartFailure) => Error,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const onMessage = (message: M) => {
      const result = read(message);
      if (result === undefined) return;
      if (result instanceof Error) return fail(result);
      cleanup();
      resolve(result);
    };
    const onError = (error: Error) => fail(failed({ error }));
    const onExit = (exitCode: number) => fail(failed({ exitCode }));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
