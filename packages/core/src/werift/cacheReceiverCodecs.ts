import type { RTCRtpReceiver } from 'werift';

type Receiver = {
  codecArray?: unknown;
  prepareReceive?: (...args: unknown[]) => unknown;
};

const cached = new WeakSet<object>();

/**
 * werift's `RTCRtpReceiver` asks its `nackEnabled` and `twccEnabled` getters for every received
 * RTP packet, and each builds `codecArray` anew: `Object.values` of its codecs, sorted by payload
 * type. The codecs change only in `prepareReceive` (negotiation; `resyncCodecs` goes through
 * it): this makes `receiver` keep the array until then. Returns whether it did; a werift without
 * these members is left as it is.
 */
export function cacheReceiverCodecs(receiver: RTCRtpReceiver): boolean {
  const r = receiver as unknown as Receiver;
  if (cached.has(r)) return true;
  const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(r), 'codecArray')?.get;
  const prepare = r.prepareReceive;
  if (typeof getter !== 'function' || typeof prepare !== 'function') return false;
  cached.add(r);
  let codecs: unknown;
  Object.defineProperty(r, 'codecArray', {
    configurable: true,
    get: () => {
      codecs ??= getter.call(r);
      return codecs;
    },
  });
  r.prepareReceive = (...args) => {
    codecs = undefined;
    try {
      return prepare.apply(r, args);
    } finally {
      codecs = undefined;
    }
  };
  return true;
}
