import type { EncodedVideoFrame } from './CodecEngine.ts';
import { DepacketizeError, type Depacketizer } from './PayloadFormat.ts';

/** The VP8 payload descriptor's length (RFC 7741 §4.2) and its S and PID fields. */
function descriptor(payload: Buffer): { length: number; start: boolean; partition: number } {
  const first = payload[0];
  if (first === undefined) throw new DepacketizeError('empty VP8 payload');
  let length = 1;
  if (first & 0x80) {
    const extension = payload[1];
    if (extension === undefined) throw new DepacketizeError('VP8 descriptor cut short');
    length = 2;
    if (extension & 0x80) {
      const pictureId = payload[length];
      if (pictureId === undefined) throw new DepacketizeError('VP8 picture id cut short');
      length += pictureId & 0x80 ? 2 : 1;
    }
    if (extension & 0x40) length += 1;
    if (extension & 0x30) length += 1;
  }
  if (length >= payload.length) throw new DepacketizeError('VP8 payload has no data');
  return { length, start: (first & 0x10) !== 0, partition: first & 0x07 };
}

function startsFrame(payload: Buffer): boolean {
  const { start, partition } = descriptor(payload);
  return start && partition === 0;
}

/** RFC 7741 VP8: strips each payload descriptor; a keyframe has P = 0 in its first byte. */
export const vp8Depacketizer: Depacketizer = {
  startsFrame,
  startsKeyframe(payload) {
    const { length, start, partition } = descriptor(payload);
    return start && partition === 0 && ((payload[length] ?? 1) & 0x01) === 0;
  },
  assemble(payloads): EncodedVideoFrame {
    const first = payloads[0];
    if (!first || !startsFrame(first)) {
      throw new DepacketizeError('a VP8 frame must start with S = 1, partition 0');
    }
    const parts = payloads.map((payload) => payload.subarray(descriptor(payload).length));
    const data = Buffer.concat(parts);
    return { data, keyframe: ((data[0] ?? 1) & 0x01) === 0 };
  },
};
