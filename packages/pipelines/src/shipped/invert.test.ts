import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rgbToFrame } from '../../fixtures/images.ts';
import {
  inGamutBytes,
  referenceInvert,
  viewedInvertError,
} from '../../fixtures/referenceInvert.ts';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { cropI420FromEven, padI420ToEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import { InvalidFrameError, PipelineClosedError } from '../pipeline/errors.ts';
import type { Pipeline } from '../pipeline/Pipeline.ts';

type Rgb = readonly [number, number, number];

/** An I420 frame encoded from RGB (the fixtures' encoder: U and V from the 2×2 average). */
function frameFromRgb(
  widthPx: number,
  heightPx: number,
  rgbAt: (x: number, y: number) => Rgb,
): Frame {
  const rgb = new Uint8Array(widthPx * heightPx * 3);
  for (let y = 0; y < heightPx; y++) {
    for (let x = 0; x < widthPx; x++) rgb.set(rgbAt(x, y), (y * widthPx + x) * 3);
  }
  return rgbToFrame({ widthPx, heightPx, rgb }, 123_456);
}

const palette: readonly Rgb[] = [
  [200, 40, 40],
  [40, 200, 40],
  [40, 40, 200],
  [210, 200, 30],
  [30, 190, 210],
  [200, 30, 190],
  [128, 128, 128],
  [235, 235, 235],
  [20, 20, 20],
];

/** Gradients on the left half, 64×64 colour blocks on the right; every channel in 8..247. */
function gradientsAndBlocks(widthPx: number, heightPx: number): Frame {
  const half = widthPx / 2;
  return frameFromRgb(widthPx, heightPx, (x, y) => {
    if (x < half) {
      return [
        8 + (239 * x) / half,
        8 + (239 * y) / heightPx,
        247 - (239 * (x + y)) / (half + heightPx),
      ];
    }
    return palette[(Math.floor((x - half) / 64) + 3 * Math.floor(y / 64)) % palette.length] as Rgb;
  });
}

/** Per-plane mean and max absolute difference between actual and expected bytes. */
function planeErrors(actual: Uint8Array, expected: (index: number) => number) {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs((actual[i] as number) - expected(i));
    sum += error;
    max = Math.max(max, error);
  }
  return { mean: sum / actual.length, max };
}

/** A small deterministic PRNG (mulberry32). */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('invert (shipped manifest)', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await createShippedPipeline('invert');
  });
  afterAll(async () => {
    await pipeline.close();
  });

  it('is ready once created', () => {
    expect(pipeline.name).toBe('invert');
    expect(pipeline.state).toBe('ready');
  });

  it.each([
    [512, 512],
    [1280, 720],
  ])('inverts in-gamut content at %i×%i: Y → 251 − Y, U → 256 − U, V → 256 − V', async (w, h) => {
    const frame = gradientsAndBlocks(w, h);
    const before = frame.data.slice();
    const result = await pipeline.process(frame);

    expect(result).toMatchObject({ widthPx: w, heightPx: h, format: 'i420', timestampUs: 123_456 });
    expect(result.data).toHaveLength(i420ByteLength(w, h));
    expect(frame.data).toEqual(before); // the input frame is left alone
    const input = i420Planes(frame);
    const output = i420Planes(result);
    const errors = {
      y: planeErrors(output.y, (i) => 251 - (input.y[i] as number)),
      u: planeErrors(output.u, (i) => 256 - (input.u[i] as number)),
      v: planeErrors(output.v, (i) => 256 - (input.v[i] as number)),
    };
    for (const { mean, max } of Object.values(errors)) {
      expect(mean).toBeLessThan(0.5);
      expect(max).toBeLessThanOrEqual(1);
    }
  });

  it('inverts out-of-range codes as they are: a viewer still sees 255 − what it saw', async () => {
    // Y below 16 (blacker than black) and above 235 (whiter than white) decode to RGB outside
    // 0..255, which a viewer sees clipped. The invert runs on the planes (Y' = 251 − Y), not on
    // the clipped RGB, so those codes come out mirrored (saturating at 0 above Y = 251).
    const w = 256;
    const h = 4;
    const data = new Uint8Array(i420ByteLength(w, h)).fill(128);
    for (let i = 0; i < w * h; i++) data[i] = i % w; // Y ramps 0..255 along each row
    const frame: Frame = { widthPx: w, heightPx: h, format: 'i420', data, timestampUs: 0 };
    const result = await pipeline.process({ ...frame, data: data.slice() });
    const { y, u, v } = i420Planes(result);
    for (let x = 0; x < w; x++) expect(y[x]).toBe(Math.max(0, 251 - x));
    expect(new Set(u)).toEqual(new Set([128]));
    expect(new Set(v)).toEqual(new Set([128]));
    expect(viewedInvertError(frame, result)).toEqual({ max: expect.closeTo(0, 6), saturated: 0 });
  });

  it('matches the float64 RGB reference in gamut, and what a viewer sees everywhere', async () => {
    const next = random(42);
    const w = 96;
    const h = 64;
    const data = Uint8Array.from({ length: i420ByteLength(w, h) }, () => Math.floor(next() * 256));
    const frame: Frame = { widthPx: w, heightPx: h, format: 'i420', data, timestampUs: 7 };
    const result = await pipeline.process(frame);
    // Mostly out-of-gamut content: where the RGB reference clips nothing, the same bytes.
    const expected = referenceInvert(frame);
    const inGamut = inGamutBytes(frame);
    expect(inGamut.reduce((sum, inside) => sum + inside, 0)).toBeGreaterThan(500);
    const { max } = planeErrors(result.data, (i) =>
      inGamut[i] ? (expected.data[i] as number) : (result.data[i] as number),
    );
    expect(max).toBeLessThanOrEqual(1); // float32 against float64 rounding
    // Everywhere: decoded and clipped as a viewer does, the output is 255 − the input, exactly
    // where the inverted codes fit in a byte, and within 4 luma steps where they saturate.
    const viewed = viewedInvertError(frame, result);
    expect(viewed.max).toBeLessThan(1e-6);
    expect(viewed.saturated).toBeLessThanOrEqual(4 * (255 / 219) + 1e-9);
  });

  it('inverts odd-sized frames: run as the next even size, cropped back', async () => {
    // Issue 15: a 47×23 frame failed with "dims[0] must be an integer, got: 23.5".
    for (const [w, h] of [
      [47, 23],
      [641, 360],
      [64, 31],
    ] as const) {
      const even = gradientsAndBlocks(w + (w % 2), h + (h % 2));
      const odd = cropI420FromEven(even, w, h);
      const result = await pipeline.process(odd);
      expect([result.widthPx, result.heightPx]).toEqual([w, h]);
      const padded = padI420ToEven(odd);
      const expected = cropI420FromEven(referenceInvert(padded), w, h);
      const inGamut = cropI420FromEven({ ...padded, data: inGamutBytes(padded) }, w, h);
      const { max } = planeErrors(result.data, (i) =>
        inGamut.data[i] ? (expected.data[i] as number) : (result.data[i] as number),
      );
      expect(max).toBeLessThanOrEqual(1);
      // Every byte, the padded edge included: each plane inverted on its own.
      const input = i420Planes(odd);
      const output = i420Planes(result);
      expect(Array.from(output.y)).toEqual(Array.from(input.y, (y) => Math.max(0, 251 - y)));
      expect(Array.from(output.u)).toEqual(Array.from(input.u, (u) => Math.min(255, 256 - u)));
      expect(Array.from(output.v)).toEqual(Array.from(input.v, (v) => Math.min(255, 256 - v)));
    }
  });

  it('rejects frames it cannot take with InvalidFrameError', async () => {
    const odd: Frame = {
      widthPx: 641,
      heightPx: 360,
      format: 'i420',
      data: new Uint8Array(i420ByteLength(641, 360)),
      timestampUs: 0,
    };
    await expect(pipeline.process({ ...odd, data: new Uint8Array(10) })).rejects.toThrow(
      InvalidFrameError,
    );
    const short = { ...odd, widthPx: 640, data: new Uint8Array(100) };
    await expect(pipeline.process(short)).rejects.toThrow(/100 bytes, expected 345600/);
    const zero = { ...odd, widthPx: 0, data: new Uint8Array(0) };
    await expect(pipeline.process(zero)).rejects.toThrow(/widthPx/);
    const nv12 = { ...short, format: 'nv12' } as unknown as Frame;
    await expect(pipeline.process(nv12)).rejects.toThrow(/format "nv12"/);
    expect(pipeline.state).toBe('ready');
  });

  it('takes no params, at create and at update', async () => {
    await expect(pipeline.update({})).resolves.toBeUndefined();
    await expect(pipeline.update({ strength: 1 })).rejects.toThrow(InvalidPipelineParamsError);
    await expect(createShippedPipeline('invert', { strength: 1 })).rejects.toThrow(
      /takes no params; got "strength"/,
    );
  });
});

describe('invert lifecycle', () => {
  it('close() is idempotent, waits for a frame in flight, and later calls throw', async () => {
    const pipeline = await createShippedPipeline('invert');
    const frame = gradientsAndBlocks(512, 512);
    const inFlight = pipeline.process(frame);
    const closing = pipeline.close();
    await expect(inFlight).resolves.toMatchObject({ widthPx: 512 });
    await closing;
    await pipeline.close();
    expect(pipeline.state).toBe('closed');
    await expect(pipeline.process(frame)).rejects.toThrow(PipelineClosedError);
    await expect(pipeline.update({})).rejects.toMatchObject({ code: 'pipeline_closed' });
  });
});
