/** Polls `check` every 50 ms until it holds; rejects naming `what` after `timeoutMs`. */
export function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (performance.now() - started > timeoutMs) return reject(new Error(`timed out: ${what()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}
