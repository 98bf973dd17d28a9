import { describe, expect, it } from 'vitest';
import { type LowResPlane, UpsampledComposite } from './upsampledComposite.ts';

type Size = { widthPx: number; heightPx: number };

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** onnxruntime's `Resize` (`linear`, `half_pixel`) of one plane at output (x, y), in float64. */
function bilinear(plane: LowResPlane, out: Size, x: number, y: number): number {
  const axis = (inPx: number, outPx: number, at: number) => {
    const source = Math.min(Math.max((at + 0.5) / (outPx / inPx) - 0.5, 0), inPx - 1);
    const first = Math.floor(source);
    return [first, Math.min(first + 1, inPx - 1), source - first] as const;
  };
  const [x0, x1, fx] = axis(plane.widthPx, out.widthPx, x);
  const [y0, y1, fy] = axis(plane.heightPx, out.heightPx, y);
  const at = (px: number, py: number) =>
    plane.data[plane.offset + py * plane.widthPx + px] as number;
  const top = at(x0, y0) + fx * (at(x1, y0) - at(x0, y0));
  const bottom = at(x0, y1) + fx * (at(x1, y1) - at(x0, y1));
  return top + fy * (bottom - top);
}

/** Round half to even, clipped to a byte (QuantizeLinear's rounding). */
const toByte = (value: number) => {
  const floor = Math.floor(value);
  const rounded = value - floor === 0.5 ? floor + (floor % 2) : Math.round(value);
  return Math.min(255, Math.max(0, rounded));
};

function check(kernel: UpsampledComposite, size: Size, mask: Size, luma: Size, chroma: Size) {
  const next = random(size.widthPx * 31 + mask.widthPx);
  const floats = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => next() * scale);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
  const plane = (s: Size, data: Float32Array, offset = 0) => ({ ...s, data, offset });
  const chromaData = floats(2 * chroma.widthPx * chroma.heightPx, 300);
  // Weights a little outside 0..1 and values past 255 too: the bytes must clip.
  const inputs = {
    ...size,
    mask: plane(mask, floats(mask.widthPx * mask.heightPx, 1.2)),
    underLuma: plane(luma, floats(luma.widthPx * luma.heightPx, 300)),
    underChroma: plane(chroma, chromaData),
    over: {
      y: bytes(size.widthPx * size.heightPx),
      u: bytes((size.widthPx * size.heightPx) / 4),
      v: bytes((size.widthPx * size.heightPx) / 4),
    },
  };
  const out = new Uint8Array((size.widthPx * size.heightPx * 3) / 2);
  kernel.run(inputs, out);
  const half = { widthPx: size.widthPx / 2, heightPx: size.heightPx / 2 };
  const v = plane(chroma, chromaData, chroma.widthPx * chroma.heightPx);
  const planes = [
    { size, under: inputs.underLuma, over: inputs.over.y, at: 0 },
    { size: half, under: inputs.underChroma, over: inputs.over.u, at: inputs.over.y.length },
    { size: half, under: v, over: inputs.over.v, at: inputs.over.y.length + inputs.over.u.length },
  ];
  let max = 0;
  let differing = 0;
  for (const { size: s, under, over, at } of planes) {
    for (let y = 0; y < s.heightPx; y++) {
      for (let x = 0; x < s.widthPx; x++) {
        const m = bilinear(inputs.mask, s, x, y);
        const u = bilinear(under, s, x, y);
        const i = y * s.widthPx + x;
        const difference = Math.abs(
          (out[at + i] as number) - toByte(u + m * ((over[i] as number) - u)),
        );
        max = Math.max(max, difference);
        if (difference > 0) differing++;
      }
    }
  }
  // Float32 arithmetic against float64: a rounding tie may fall the other way.
  expect(max).toBeLessThanOrEqual(1);
  expect(differing / out.length).toBeLessThan(0.001);
}

describe('UpsampledComposite', () => {
  it("gives onnxruntime's bilinear upsamples, blend and rounding, at any sizes, laid out again when they change", () => {
    const kernel = new UpsampledComposite();
    const s = (widthPx: number, heightPx: number) => ({ widthPx, heightPx });
    check(kernel, s(1280, 720), s(256, 256), s(320, 180), s(160, 90));
    // Sides no factor divides, rows not a multiple of 16 pixels, a downsampled mask.
    check(kernel, s(70, 50), s(90, 9), s(9, 7), s(5, 4));
    // Planes one sample wide or high (a solid colour is 1×1).
    check(kernel, s(6, 4), s(1, 1), s(1, 3), s(1, 1));
    check(kernel, s(1280, 720), s(256, 144), s(640, 360), s(80, 45));
  });
});
