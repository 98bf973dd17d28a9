import type { EncodedVideoFrame } from './CodecEngine.ts';
import { balancedChunks } from './PayloadFormat.ts';

const stapA = 24;
const fuA = 28;

/** The NAL units of an Annex-B access unit (start codes of 3 or 4 bytes), without start codes. */
export function splitAnnexB(data: Buffer): Buffer[] {
  const units: Buffer[] = [];
  let unitStart = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (unitStart >= 0) {
        // A 4-byte start code's leading zero belongs to it, not to the unit before.
        let end = i;
        while (end > unitStart && data[end - 1] === 0) end--;
        units.push(data.subarray(unitStart, end));
      }
      i += 3;
      unitStart = i;
      continue;
    }
    i++;
  }
  if (unitStart >= 0 && unitStart < data.length) units.push(data.subarray(unitStart));
  return units.filter((unit) => unit.length > 0);
}

/**
 * RFC 6184 H.264 packetizer, packetization-mode 1: consecutive small NAL units (SPS, PPS, SEI,
 * small slices) share a STAP-A, a unit larger than a packet is split into FU-A fragments of
 * balanced size, any other unit goes alone.
 */
export class H264Packetizer {
  /** The payloads of one access unit's packets, each at most `maxPayloadBytes`. */
  packetize(frame: EncodedVideoFrame, maxPayloadBytes: number): Buffer[] {
    const payloads: Buffer[] = [];
    let group: Buffer[] = [];
    let groupBytes = 1;
    const flush = () => {
      if (group.length === 1) payloads.push(Buffer.from(group[0] as Buffer));
      else if (group.length > 1) payloads.push(stap(group));
      group = [];
      groupBytes = 1;
    };
    for (const unit of splitAnnexB(frame.data)) {
      if (unit.length > maxPayloadBytes) {
        flush();
        payloads.push(...fragment(unit, maxPayloadBytes));
        continue;
      }
      if (groupBytes + 2 + unit.length > maxPayloadBytes) flush();
      group.push(unit);
      groupBytes += 2 + unit.length;
    }
    flush();
    return payloads;
  }
}

function stap(units: readonly Buffer[]): Buffer {
  let nri = 0;
  for (const unit of units) nri = Math.max(nri, (unit[0] ?? 0) & 0x60);
  const parts: Buffer[] = [Buffer.from([nri | stapA])];
  for (const unit of units) {
    const size = Buffer.allocUnsafe(2);
    size.writeUInt16BE(unit.length);
    parts.push(size, unit);
  }
  return Buffer.concat(parts);
}

function fragment(unit: Buffer, maxPayloadBytes: number): Buffer[] {
  const header = unit[0] ?? 0;
  const body = unit.subarray(1);
  const chunks = balancedChunks(body.length, maxPayloadBytes - 2);
  return chunks.map(({ start, end }, i) => {
    const payload = Buffer.allocUnsafe(2 + end - start);
    payload[0] = (header & 0xe0) | fuA;
    payload[1] = (i === 0 ? 0x80 : 0) | (i === chunks.length - 1 ? 0x40 : 0) | (header & 0x1f);
    body.copy(payload, 2, start, end);
    return payload;
  });
}
