/**
 * Resolves when `pc` is connected; rejects with `failed(state)` if it fails or closes, or with
 * `timedOut()` after `timeoutMs`. Browser-safe: the browser session and the Node peers share it,
 * each with its own errors.
 */
export function waitConnected(
  pc: RTCPeerConnection,
  timeoutMs: number,
  errors: { failed: (state: 'failed' | 'closed') => Error; timedOut: () => Error },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const state = pc.connectionState;
      if (state === 'connected') finish();
      else if (state === 'failed' || state === 'closed') finish(errors.failed(state));
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(() => finish(errors.timedOut()), timeoutMs);
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}
