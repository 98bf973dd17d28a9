/** A peer or leg that says its connection state (`state`, and a `state` event when it changes). */
export type StatefulPeer<S extends string> = {
  readonly state: S;
  on(event: 'state', listener: (state: S) => void): unknown;
  off(event: 'state', listener: (state: S) => void): unknown;
};

/** Resolves once `peer` is `connected`; rejects after `timeoutMs` (naming the state it is in). */
export function waitForConnected<S extends string>(
  peer: StatefulPeer<S>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (peer.state === 'connected') return resolve();
    const onState = (state: S) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      peer.off('state', onState);
      resolve();
    };
    const timer = setTimeout(() => {
      peer.off('state', onState);
      reject(new Error(`not connected after ${timeoutMs} ms (${peer.state})`));
    }, timeoutMs);
    peer.on('state', onState);
  });
}
