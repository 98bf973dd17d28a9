import { parseOrchestratorInfo } from '@peerframe/wire';
import { describe, expect, it } from 'vitest';
import { OrchestratorServer } from '../OrchestratorServer.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';

const hasCudaDevice = (await NodeAvEngine.create()).info.hardware.device !== null;

describe('NodeAvEngine', () => {
  it('uses software codecs when told to', async () => {
    const { info } = await NodeAvEngine.create({ hardware: 'off' });
    expect(info.engine).toBe('node-av');
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.hardware).toEqual({
      used: false,
      device: null,
      reason: 'hardware codecs turned off',
    });
    expect(info.decoders).toEqual({
      VP8: { name: 'vp8', hardware: false },
      H264: { name: 'h264', hardware: false },
    });
    expect(info.encoders).toEqual({
      VP8: { name: 'libvpx', hardware: false },
      H264: { name: 'libx264', hardware: false },
    });
  });

  it.skipIf(hasCudaDevice)(
    'falls back to software, saying why, where no CUDA device opens',
    async () => {
      const { info } = await NodeAvEngine.create({ hardware: 'auto' });
      expect(info.hardware.used).toBe(false);
      expect(info.hardware.reason).toMatch(/no CUDA device .*software codecs/);
      expect(Object.values(info.decoders).every((c) => !c.hardware)).toBe(true);
      expect(Object.values(info.encoders).every((c) => !c.hardware)).toBe(true);
    },
  );

  it('opens the codecs it names, and says when an encoder cannot take a picture size', async () => {
    const engine = await NodeAvEngine.create({ hardware: 'off' });
    for (const codec of ['VP8', 'H264'] as const) {
      await engine.createDecoder(codec).close();
      const encoder = engine.createEncoder({
        codec,
        widthPx: 64,
        heightPx: 48,
        fps: 30,
        bitrateKbps: 300,
      });
      expect(encoder.implementation.name).toBe(engine.info.encoders[codec].name);
      await expect(
        encoder.encode(
          { widthPx: 32, heightPx: 32, data: new Uint8Array(32 * 32 * 1.5) },
          { keyframe: false },
        ),
      ).rejects.toThrow(/takes 64×48, got 32×32/);
      await encoder.close();
    }
  });
});

describe('NodeAvEngine encoder timestamps', () => {
  /** 30 pictures of grain (a fixed pseudo-random sequence): the encoder spends its whole budget. */
  const pictures = Array.from({ length: 30 }, (_, n) => {
    const data = new Uint8Array(96 * 96 * 1.5);
    let state = n + 1;
    for (let i = 0; i < data.length; i++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      data[i] = state >>> 24;
    }
    return { widthPx: 96, heightPx: 96, data };
  });

  async function encodeAll(engine: NodeAvEngine, pauseMs: number): Promise<Buffer> {
    const encoder = engine.createEncoder({
      codec: 'VP8',
      widthPx: 96,
      heightPx: 96,
      fps: 30,
      bitrateKbps: 300,
    });
    const out: Buffer[] = [];
    for (const [n, picture] of pictures.entries()) {
      const frames = await encoder.encode(picture, {
        keyframe: n === 0,
        timestampUs: (n * 1_000_000) / 30,
      });
      out.push(...frames.map((f) => Buffer.from(f.data)));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    await encoder.close();
    return Buffer.concat(out);
  }

  it("rates pictures by the caller's timestamps, not by how fast they came", async () => {
    const engine = await NodeAvEngine.create({ hardware: 'off' });
    // Stamped from the wall clock, pictures 0 ms and 10 ms apart get different budgets.
    expect((await encodeAll(engine, 0)).equals(await encodeAll(engine, 10))).toBe(true);
  });
});

describe('NodeAvEngine codecs: close', () => {
  it("frees an encoder and a decoder only after the call in flight on FFmpeg's thread", async () => {
    const engine = await NodeAvEngine.create({ hardware: 'off' });
    const widthPx = 640;
    const heightPx = 480;
    const encoder = engine.createEncoder({
      codec: 'H264',
      widthPx,
      heightPx,
      fps: 30,
      bitrateKbps: 1000,
    });
    const decoder = engine.createDecoder('H264');
    const picture = { widthPx, heightPx, data: new Uint8Array(widthPx * heightPx * 1.5).fill(90) };
    const [frame] = await encoder.encode(picture, { keyframe: true });
    if (!frame) throw new Error('no keyframe out');
    // Closed with a call in flight: the call ends (its output dropped), then the codec is freed.
    const order: string[] = [];
    await Promise.all([
      encoder.encode(picture, { keyframe: false }).then(() => order.push('encoded')),
      encoder.close().then(() => order.push('encoder freed')),
      decoder.decode(frame).then(() => order.push('decoded')),
      decoder.close().then(() => order.push('decoder freed')),
    ]);
    expect(order.indexOf('encoded')).toBeLessThan(order.indexOf('encoder freed'));
    expect(order.indexOf('decoded')).toBeLessThan(order.indexOf('decoder freed'));
    // Closed: calls answer nothing, a second close is the same.
    expect(await encoder.encode(picture, { keyframe: false })).toEqual([]);
    await Promise.all([encoder.close(), decoder.close()]);
  });
});

describe('GET /info', () => {
  it('shows the media engine: codec library, codec per direction, hardware or why not', async () => {
    const orchestrator = await OrchestratorServer.create({
      hardwareCodecs: 'off',
      spareMediaThreads: 0,
    });
    try {
      // What a gateway reads: wire's validator takes it whole.
      const { media } = parseOrchestratorInfo(
        await (await fetch(`${orchestrator.url}/info`)).json(),
      );
      expect(media?.engine).toBe('node-av');
      expect(media?.hardware).toMatchObject({
        used: false,
        device: null,
        reason: 'hardware codecs turned off',
      });
      expect(media?.encoders).toEqual({
        VP8: { name: 'libvpx', hardware: false },
        H264: { name: 'libx264', hardware: false },
      });
    } finally {
      await orchestrator.close();
    }
  });
});
