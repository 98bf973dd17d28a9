import { describe, expect, it } from 'vitest';
import { RTCRtpCodecParameters, type RTCRtpReceiver } from 'werift';
import { cacheReceiverCodecs } from './cacheReceiverCodecs.ts';
import { createWeriftPeer } from './createWeriftPeer.ts';

type Receiver = {
  codecArray: RTCRtpCodecParameters[];
  nackEnabled: unknown;
  prepareReceive: (params: { codecs: RTCRtpCodecParameters[]; encodings: [] }) => void;
  resyncCodecs: (params: { codecs: RTCRtpCodecParameters[]; encodings: [] }) => void;
};

const vp8 = (payloadType: number, nack: boolean) =>
  new RTCRtpCodecParameters({
    mimeType: 'video/VP8',
    clockRate: 90_000,
    payloadType,
    rtcpFeedback: nack ? [{ type: 'nack' }] : [],
  });

describe('cacheReceiverCodecs', () => {
  it('answers as werift does before and after the codecs change, building the array once per change', async () => {
    const pc = createWeriftPeer();
    try {
      const [own, caching] = [0, 1].map(
        () => pc.addTransceiver('video', { direction: 'recvonly' }).receiver,
      ) as [RTCRtpReceiver, RTCRtpReceiver];
      expect(cacheReceiverCodecs(caching)).toBe(true);
      expect(cacheReceiverCodecs(caching)).toBe(true);
      const [a, b] = [own, caching] as unknown as [Receiver, Receiver];
      for (const r of [a, b])
        r.prepareReceive({ codecs: [vp8(98, false), vp8(96, true)], encodings: [] });
      expect(b.codecArray).toEqual(a.codecArray);
      expect(b.codecArray.map((c) => c.payloadType)).toEqual([96, 98]);
      expect(Boolean(b.nackEnabled)).toBe(true);
      // The same array until the codecs change.
      expect(b.codecArray).toBe(b.codecArray);
      for (const r of [a, b]) r.resyncCodecs({ codecs: [vp8(100, false)], encodings: [] });
      expect(b.codecArray).toEqual(a.codecArray);
      expect(Boolean(b.nackEnabled)).toBe(false);
      expect(Boolean(a.nackEnabled)).toBe(false);
    } finally {
      await pc.close();
    }
  });
});
