import type { RTCPeerConnection } from 'werift';

type Listener = { execute: (...args: unknown[]) => unknown };
type WeriftEvent = {
  event: { stack: Listener[]; promiseStack: Listener[] };
  ended: boolean;
  onerror: (error: unknown) => void;
  execute: (...args: unknown[]) => void;
};

const patched = new WeakSet<object>();

/**
 * werift's `Event.execute` calls its listeners, then always starts an async function for its
 * queued (`queuingSubscribe`) listeners, usually none: a closure, two promises and a microtask
 * per event, and a received RTP packet goes through four events (its ICE protocol's, its
 * connection's, its DTLS transport's and its track's). This makes `event.execute` do the same
 * (the listeners in order; the queued ones, when there are some, as werift does) without the
 * async function when nothing is queued. Returns whether it did; an object that is not such an
 * event is left as it is.
 */
export function executeWithoutIdlePromise(event: unknown): boolean {
  const e = event as Partial<WeriftEvent> | undefined;
  if (!e || typeof e.execute !== 'function' || !Array.isArray(e.event?.promiseStack)) return false;
  if (patched.has(e)) return true;
  patched.add(e);
  const target = e as WeriftEvent;
  target.execute = (...args) => {
    if (target.ended) return;
    for (const item of target.event.stack) item.execute(...args);
    if (target.event.promiseStack.length === 0) return;
    (async () => {
      for (const item of target.event.promiseStack) await item.execute(...args);
    })().catch((error: unknown) => target.onerror(error));
  };
  return true;
}

/**
 * `executeWithoutIdlePromise` on the events each received packet of `pc` goes through below its
 * tracks: its ICE connections' and their protocols', its DTLS transports' RTP and RTCP. Call it
 * once connected (the protocols exist by then). Returns how many events it changed.
 */
export function receiveWithoutIdlePromises(pc: RTCPeerConnection): number {
  let count = 0;
  const events: unknown[] = [];
  for (const transport of pc.iceTransports) {
    const connection = transport.connection as unknown as {
      onData?: unknown;
      protocols?: { onDataReceived?: unknown }[];
    };
    events.push(connection.onData);
    for (const protocol of connection.protocols ?? []) events.push(protocol.onDataReceived);
  }
  for (const transport of pc.dtlsTransports) events.push(transport.onRtp, transport.onRtcp);
  for (const event of events) if (executeWithoutIdlePromise(event)) count++;
  return count;
}
