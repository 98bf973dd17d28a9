import type { EncodedVideoFrame } from './CodecEngine.ts';
import { DepacketizeError, type Depacketizer } from './PayloadFormat.ts';

const startCode = Buffer.from([0, 0, 0, 1]);
const stapA = 24;
const fuA = 28;
const idr = 5;
const sps = 7;

/**
 * The type of the NAL unit a packet starts with, and its first payload byte: the NAL unit itself,
 * a STAP-A's first unit, an FU-A's unit when the packet has its start (undefined otherwise).
 */
function firstUnit(payload: Buffer): { type: number; next: number | undefined } | undefined {
  const header = payload[0];
  if (header === undefined) return undefined;
  const type = header & 0x1f;
  if (type === stapA) {
    const unit = payload[3];
    return unit === undefined ? undefined : { type: unit & 0x1f, next: payload[4] };
  }
  if (type === fuA) {
    const fu = payload[1];
    if (fu === undefined || !(fu & 0x80)) return undefined;
    return { type: fu & 0x1f, next: payload[2] };
  }
  return { type, next: payload[1] };
}

/** A slice whose first_mb_in_slice is 0 (its Exp-Golomb code is the single bit 1): a picture's first. */
function firstSliceOfPicture(unit: { type: number; next: number | undefined }): boolean {
  return (unit.type === 1 || unit.type === idr) && ((unit.next ?? 0) & 0x80) !== 0;
}

/**
 * RFC 6184 H.264, packetization-mode 1 (single NAL units, STAP-A, FU-A) to Annex-B. A frame
 * starts with an access unit delimiter, SEI, SPS or PPS, or its first slice; a keyframe with an
 * SPS or the first slice of an IDR picture.
 */
export const h264Depacketizer: Depacketizer = {
  startsFrame(payload) {
    const unit = firstUnit(payload);
    if (!unit) return false;
    return (unit.type >= 6 && unit.type <= 9) || firstSliceOfPicture(unit);
  },
  startsKeyframe(payload) {
    const unit = firstUnit(payload);
    if (!unit) return false;
    return unit.type === sps || (unit.type === idr && firstSliceOfPicture(unit));
  },
  assemble(payloads): EncodedVideoFrame {
    const parts: Buffer[] = [];
    let keyframe = false;
    let inFragment = false;
    for (const payload of payloads) {
      const header = payload[0];
      if (header === undefined) throw new DepacketizeError('empty H.264 payload');
      const type = header & 0x1f;
      if (type >= 1 && type <= 23) {
        if (inFragment) throw new DepacketizeError('H.264 FU-A fragment without its end');
        keyframe ||= type === idr;
        parts.push(startCode, payload);
      } else if (type === stapA) {
        if (inFragment) throw new DepacketizeError('H.264 FU-A fragment without its end');
        let offset = 1;
        while (offset + 2 <= payload.length) {
          const size = payload.readUInt16BE(offset);
          offset += 2;
          if (size === 0 || offset + size > payload.length) {
            throw new DepacketizeError(`H.264 STAP-A unit of ${size} bytes overruns the packet`);
          }
          keyframe ||= ((payload[offset] ?? 0) & 0x1f) === idr;
          parts.push(startCode, payload.subarray(offset, offset + size));
          offset += size;
        }
      } else if (type === fuA) {
        const fu = payload[1];
        if (fu === undefined || payload.length < 3)
          throw new DepacketizeError('H.264 FU-A cut short');
        const isStart = (fu & 0x80) !== 0;
        const isEnd = (fu & 0x40) !== 0;
        if (isStart) {
          if (inFragment) throw new DepacketizeError('H.264 FU-A fragment without its end');
          keyframe ||= (fu & 0x1f) === idr;
          parts.push(startCode, Buffer.from([(header & 0xe0) | (fu & 0x1f)]));
          inFragment = true;
        } else if (!inFragment) {
          throw new DepacketizeError('H.264 FU-A fragment without its start');
        }
        parts.push(payload.subarray(2));
        if (isEnd) inFragment = false;
      } else {
        throw new DepacketizeError(`H.264 packet type ${type} is not in packetization-mode 1`);
      }
    }
    if (inFragment) throw new DepacketizeError('H.264 FU-A fragment without its end');
    return { data: Buffer.concat(parts), keyframe };
  },
};
