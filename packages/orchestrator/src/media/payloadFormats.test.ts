import { describe, expect, it } from 'vitest';
import { H264Packetizer, splitAnnexB } from './H264Packetizer.ts';
import { h264Depacketizer } from './h264Depacketizer.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { Vp8Packetizer } from './Vp8Packetizer.ts';
import { vp8Depacketizer } from './vp8Depacketizer.ts';

const engine = await NodeAvEngine.create({ hardware: 'off' });

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
    const encoder = engine.createEncoder({
      codec: 'VP8',
      widthPx: 640,
      heightPx: 480,
      fps: 30,
      bitrateKbps: 2000,
    });
    const decoder = engine.createDecoder('VP8');
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
    const encoder = engine.createEncoder({
      codec: 'H264',
      widthPx: 640,
      heightPx: 480,
      fps: 30,
      bitrateKbps: 2000,
    });
    const decoder = engine.createDecoder('H264');
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
