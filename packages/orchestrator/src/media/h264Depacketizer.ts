import type { EncodedVideoFrame } from './CodecEngine.ts';
import { DepacketizeError, type Depacketizer } from './PayloadFormat.ts';

const startCode = Buffer.from([0, 0, 0, 1]);
const stapA = 24;
const fuA = 28;
const idr = 5;
const sps = 7;

/** A NAL unit's type and the byte after its header (a slice's first_mb_in_slice starts there). */
type UnitStart = { type: number; next: number | undefined };

/**
 * The starts of the NAL units a packet begins: the NAL unit itself, every unit of a STAP-A, an
 * FU-A's unit when the packet has its start (none otherwise).
 */
function unitStarts(payload: Buffer): UnitStart[] {
  const header = payload[0];
  if (header === undefined) return [];
  const type = header & 0x1f;
  if (type === stapA) {
    const units: UnitStart[] = [];
    for (let offset = 1; offset + 2 < payload.length; ) {
      const size = payload.readUInt16BE(offset);
      const unit = payload[offset + 2];
      if (size === 0 || unit === undefined) break;
      units.push({ type: unit & 0x1f, next: payload[offset + 3] });
      offset += 2 + size;
    }
    return units;
  }
  if (type === fuA) {
    const fu = payload[1];
    if (fu === undefined || !(fu & 0x80)) return [];
    return [{ type: fu & 0x1f, next: payload[2] }];
  }
  return [{ type, next: payload[1] }];
}

/** A slice whose first_mb_in_slice is 0 (its Exp-Golomb code is the single bit 1): a picture's first. */
function firstSliceOfPicture(unit: UnitStart): boolean {
  return (unit.type === 1 || unit.type === idr) && ((unit.next ?? 0) & 0x80) !== 0;
}

/** Whether a packet begins an access unit (its first NAL unit is a delimiter, SEI, SPS, PPS or a first slice). */
function startsFrame(payload: Buffer): boolean {
  const unit = unitStarts(payload)[0];
  if (!unit) return false;
  return (unit.type >= 6 && unit.type <= 9) || firstSliceOfPicture(unit);
}

/**
 * RFC 6184 H.264, packetization-mode 1 (single NAL units, STAP-A, FU-A) to Annex-B. A frame
 * starts with an access unit delimiter, SEI, SPS or PPS, or its first slice; a keyframe's first
 * packet holds an SPS or the first slice of an IDR picture (a STAP-A may hold a small keyframe
 * whole behind its delimiter, as GStreamer's rtph264pay aggregates them).
 */
export const h264Depacketizer: Depacketizer = {
  startsFrame,
  startsKeyframe(payload) {
    return (
      startsFrame(payload) &&
      unitStarts(payload).some(
        (unit) => unit.type === sps || (unit.type === idr && firstSliceOfPicture(unit)),
      )
    );
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
