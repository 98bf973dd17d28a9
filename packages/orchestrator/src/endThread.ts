import type { Worker } from 'node:worker_threads';

/**
 * Ends a worker thread that cleans up before it may go: `ask(closed)` asks it to close, and it
 * calls `closed` once it has (or has exited); then, or after `timeoutMs` for a stuck thread, it
 * is terminated. `exited`: it is gone already, so only `terminate()` remains.
 */
export async function endThread(
  worker: Worker,
  exited: boolean,
  ask: (closed: () => void) => void,
  timeoutMs: number,
): Promise<void> {
  if (!exited) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      ask(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  await worker.terminate();
}
