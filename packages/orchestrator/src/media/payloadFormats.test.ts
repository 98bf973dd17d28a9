import { describe, expect, it } from 'vitest';
import { H264Packetizer, splitAnnexB } from './H264Packetizer.ts';
import { h264Depacketizer } from './h264Depacketizer.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { Vp8Packetizer } from './Vp8Packetizer.ts';
import { vp8Depacketizer } from './vp8Depacketizer.ts';

const engine = await NodeAvEngine.create({ hardware: 'off' });

/** An encoder and a decoder of one codec, at 30 fps. */
function codecPair(codec: 'VP8' | 'H264', widthPx: number, heightPx: number, bitrateKbps: number) {
  const encoder = engine.createEncoder({ codec, widthPx, heightPx, fps: 30, bitrateKbps });
  const decoder = engine.createDecoder(codec);
  return { encoder, decoder };
}

/** A 640×480 picture with detail (a keyframe of it spans many packets). */
function picture(seed: number) {
  const widthPx = 640;
  const heightPx = 480;
  const data = new Uint8Array(widthPx * heightPx * 1.5);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13 + ((i >> 9) & 0xff)) & 0xff;
  return { widthPx, heightPx, data };
}

describe('VP8 payload format (RFC 7741)', () => {
  it('splits a frame into balanced packets with S on the first and one picture id', () => {
    const data = Buffer.alloc(2500, 7);
    data[0] = 0x10;
    const payloads = new Vp8Packetizer().packetize({ data, keyframe: true }, 1200);
    expect(payloads.map((p) => p.length)).toEqual([838, 837, 837]);
    expect(payloads.map((p) => vp8Depacketizer.startsFrame(p))).toEqual([true, false, false]);
    expect(new Set(payloads.map((p) => p.readUInt16BE(2))).size).toBe(1);
    expect(vp8Depacketizer.startsKeyframe(payloads[0] as Buffer)).toBe(true);
    const frame = vp8Depacketizer.assemble(payloads);
    expect(frame.data.equals(data)).toBe(true);
    expect(frame.keyframe).toBe(true);
  });

  it('round-trips libvpx frames through packets, and the decoder takes them', async () => {
    const { encoder, decoder } = codecPair('VP8', 640, 480, 2000);
    const packetizer = new Vp8Packetizer();
    try {
      for (let n = 0; n < 5; n++) {
        for (const frame of await encoder.encode(picture(n), { keyframe: n === 0 })) {
          const payloads = packetizer.packetize(frame, 1200);
          expect(payloads.every((p) => p.length <= 1200)).toBe(true);
          const back = vp8Depacketizer.assemble(payloads);
          expect(back.data.equals(frame.data)).toBe(true);
          expect(back.keyframe).toBe(frame.keyframe);
          expect(await decoder.decode(back)).toHaveLength(1);
        }
      }
    } finally {
      await Promise.all([encoder.close(), decoder.close()]);
    }
  });
});

describe('H.264 payload format (RFC 6184, packetization-mode 1)', () => {
  it('round-trips x264 access units: SPS and PPS in a STAP-A, large slices in FU-A', async () => {
    const { encoder, decoder } = codecPair('H264', 640, 480, 2000);
    const packetizer = new H264Packetizer();
    try {
      for (let n = 0; n < 5; n++) {
        const frames = await encoder.encode(picture(n), { keyframe: n === 0 || n === 3 });
        expect(frames).toHaveLength(1);
        const frame = frames[0] as (typeof frames)[number];
        const payloads = packetizer.packetize(frame, 1200);
        expect(payloads.every((p) => p.length <= 1200)).toBe(true);
        const types = payloads.map((p) => (p[0] ?? 0) & 0x1f);
        if (frame.keyframe) {
          expect(types[0]).toBe(24);
          expect(h264Depacketizer.startsKeyframe(payloads[0] as Buffer)).toBe(true);
          expect(types).toContain(28);
        }
        expect(h264Depacketizer.startsFrame(payloads[0] as Buffer)).toBe(true);
        const back = h264Depacketizer.assemble(payloads);
        expect(splitAnnexB(back.data).map((u) => u.toString('hex'))).toEqual(
          splitAnnexB(frame.data).map((u) => u.toString('hex')),
        );
        expect(back.keyframe).toBe(n === 0 || n === 3);
        expect(await decoder.decode(back)).toHaveLength(1);
      }
    } finally {
      await Promise.all([encoder.close(), decoder.close()]);
    }
  });

  it('starts a keyframe at a STAP-A holding a whole small access unit behind its delimiter', async () => {
    // GStreamer's rtph264pay (aggregate-mode=zero-latency) sends a small picture as one STAP-A:
    // delimiter, SPS, PPS, IDR slices. Decoding starts there, not only at an SPS or IDR first.
    const { encoder, decoder } = codecPair('H264', 160, 120, 300);
    const flat = { widthPx: 160, heightPx: 120, data: new Uint8Array(160 * 120 * 1.5).fill(128) };
    const delimiter = Buffer.from([0x09, 0xf0]);
    const stap = (units: Buffer[]) =>
      Buffer.concat([
        Buffer.from([0x78]),
        ...units.flatMap((u) => [Buffer.from([u.length >> 8, u.length & 0xff]), u]),
      ]);
    try {
      for (let n = 0; n < 3; n++) {
        const [frame] = await encoder.encode(flat, { keyframe: n === 0 });
        if (!frame) throw new Error('no frame');
        const payload = stap([delimiter, ...splitAnnexB(frame.data)]);
        expect(payload.length).toBeLessThan(1200);
        expect(h264Depacketizer.startsFrame(payload)).toBe(true);
        expect(h264Depacketizer.startsKeyframe(payload)).toBe(n === 0);
        const back = h264Depacketizer.assemble([payload]);
        expect(back.keyframe).toBe(n === 0);
        expect(await decoder.decode(back)).toHaveLength(1);
      }
    } finally {
      encoder.close();
      decoder.close();
    }
  });

  it('refuses fragments out of order', () => {
    const unit = Buffer.concat([Buffer.from([0x65]), Buffer.alloc(3000, 1)]);
    const payloads = new H264Packetizer().packetize(
      { data: Buffer.concat([Buffer.from([0, 0, 0, 1]), unit]), keyframe: true },
      1200,
    );
    expect(payloads).toHaveLength(3);
    expect(() => h264Depacketizer.assemble([payloads[1] as Buffer, payloads[2] as Buffer])).toThrow(
      /without its start/,
    );
    expect(() => h264Depacketizer.assemble([payloads[0] as Buffer, payloads[1] as Buffer])).toThrow(
      /without its end/,
    );
    expect(h264Depacketizer.assemble(payloads).data.subarray(4).equals(unit)).toBe(true);
  });
});
