import { describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import {
  fastRtpHeaderDeSerialize,
  useFastRtpHeaderParsing,
  weriftRtpHeaderDeSerialize,
} from './useFastRtpHeaderParsing.ts';

/** A deterministic generator (a 32-bit LCG), so a failing case can be found again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** What a parse gave: its fields (buffers as byte arrays), or that it threw. */
function outcome(parse: (raw: Buffer) => RtpHeader, raw: Buffer): unknown {
  try {
    const header = parse(raw);
    return JSON.parse(
      JSON.stringify({ ...header }, (_key, value) =>
        value?.type === 'Buffer' ? { bytes: value.data } : value,
      ),
    );
  } catch {
    return 'threw';
  }
}

/** A packet werift itself serializes: random fields, extensions, CSRCs and padding. */
function serializedPacket(next: () => number): Buffer {
  const byte = () => Math.floor(next() * 256);
  const profile = [0xbede, 0x1000, 0x1234][Math.floor(next() * 3)] as number;
  const count = Math.floor(next() * 4);
  const extensions = Array.from({ length: profile === 0x1234 ? Math.min(count, 1) : count }, () => {
    const length =
      profile === 0x1234 ? 4 * (1 + Math.floor(next() * 3)) : 1 + Math.floor(next() * 8);
    return {
      id: profile === 0xbede ? 1 + Math.floor(next() * 14) : 1 + Math.floor(next() * 255),
      payload: Buffer.from(Array.from({ length }, byte)),
    };
  });
  const header = new RtpHeader({
    padding: next() < 0.2,
    paddingSize: 1 + Math.floor(next() * 8),
    marker: next() < 0.5,
    payloadType: Math.floor(next() * 128),
    sequenceNumber: Math.floor(next() * 65_536),
    timestamp: Math.floor(next() * 2 ** 32),
    ssrc: Math.floor(next() * 2 ** 32),
    csrc: Array.from({ length: Math.floor(next() * 3) }, () => Math.floor(next() * 2 ** 32)),
    extensionProfile: profile as RtpHeader['extensionProfile'],
    extensions,
  });
  const payload = Buffer.from(Array.from({ length: Math.floor(next() * 40) }, byte));
  return new RtpPacket(header, payload).serialize();
}

/** The extension bytes a header's length field declares (0 without the X bit or when cut short). */
function declaredExtensionBytes(raw: Buffer): number {
  const first = raw[0] ?? 0;
  const at = 12 + (first & 0x0f) * 4 + 2;
  return (first & 0x10) !== 0 && raw.length >= at + 2 ? raw.readUInt16BE(at) * 4 : 0;
}

describe('fastRtpHeaderDeSerialize', () => {
  it('gives werift’s own result for packets werift serializes, and for damaged ones', () => {
    const next = random(19);
    for (let i = 0; i < 4000; i++) {
      let raw = serializedPacket(next);
      // Damage some: flip bytes, or cut the packet short.
      if (i % 3 === 1) {
        raw = Buffer.from(raw);
        for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--) {
          raw[Math.floor(next() * raw.length)] = Math.floor(next() * 256);
        }
      } else if (i % 3 === 2) {
        raw = raw.subarray(0, Math.floor(next() * raw.length));
      }
      // werift's parse is quadratic in the extensions a header declares: skip the damaged ones that
      // declare more than 1 KiB (below, one that declares 16 KiB is compared once).
      if (declaredExtensionBytes(raw) > 1024) continue;
      const ours = outcome(fastRtpHeaderDeSerialize, raw);
      expect(ours, `packet ${i}: ${raw.toString('hex')}`).toEqual(
        outcome(weriftRtpHeaderDeSerialize, raw),
      );
    }
  });

  it('gives werift’s result for a header declaring 16 KiB of extensions it does not carry', () => {
    // Past the end werift reads one-byte extensions of id 0 and length 1 (8192 of them here),
    // copying its list for each: werift takes ~0.5 s of CPU for this 16-byte packet, 64 KiB
    // declared would take minutes; this parse is linear.
    const raw = Buffer.from('900000000000000000000000bede1000', 'hex');
    const ours = outcome(fastRtpHeaderDeSerialize, raw) as { extensions: unknown[] };
    expect(ours.extensions).toHaveLength(8192);
    expect(ours).toEqual(outcome(weriftRtpHeaderDeSerialize, raw));
  });

  it('is what werift’s RtpPacket.deSerialize uses once installed', () => {
    expect(useFastRtpHeaderParsing()).toBe(true);
    expect(RtpHeader.deSerialize).toBe(fastRtpHeaderDeSerialize);
    const parse = vi.spyOn(RtpHeader, 'deSerialize');
    try {
      const raw = serializedPacket(random(7));
      const packet = RtpPacket.deSerialize(raw);
      // werift still calls the method through its exported class: otherwise this patch is idle.
      expect(parse).toHaveBeenCalledTimes(1);
      expect(packet.serialize().equals(raw)).toBe(true);
    } finally {
      parse.mockRestore();
    }
  });
});
