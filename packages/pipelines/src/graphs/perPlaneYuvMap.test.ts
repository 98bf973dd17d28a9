import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { OnnxSession } from '../onnx/OnnxSession.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage, sameSize } from '../workflow/GraphImage.ts';
import { type Affine3, composeAffine3, rgbToYuv, yuvToRgb } from './bt601.ts';
import { perPlaneYuvMap } from './perPlaneYuvMap.ts';

const invert: Affine3 = { matrix: [-1, 0, 0, 0, -1, 0, 0, 0, -1], offset: [255, 255, 255] };

/** The RGB map that is `scale · plane + offset` on each YUV plane. */
function rgbMapOfPlanes(scale: readonly number[], offset: readonly number[]): Affine3 {
  const [a, b, c] = scale as [number, number, number];
  const planes: Affine3 = { matrix: [a, 0, 0, 0, b, 0, 0, 0, c], offset };
  return composeAffine3(yuvToRgb, composeAffine3(planes, rgbToYuv));
}

/** Runs `map` through `GraphImage.mapRgb` on uint8 planes and returns the uint8 planes out. */
async function mapPlanes(
  map: Affine3,
  widthPx: number,
  heightPx: number,
  planes: { y: Uint8Array; u: Uint8Array; v: Uint8Array },
  from: 'planes' | 'float YUV' = 'planes',
): Promise<{ y: Uint8Array; u: Uint8Array; v: Uint8Array; luma: Float32Array }> {
  const g = new OnnxGraphBuilder();
  const inputs = {
    y: g.addInput('y', 'uint8', ['H', 'W']),
    u: g.addInput('u', 'uint8', ['h', 'w']),
    v: g.addInput('v', 'uint8', ['h', 'w']),
  };
  const float = (x: string) => g.op('Cast', [x], { to: attr.int(1) });
  const input =
    from === 'planes'
      ? GraphImage.fromPlanes(g, inputs, sameSize)
      : GraphImage.fromYuv(
          g,
          g.op('Shape', [inputs.y]),
          {
            luma: float(inputs.y),
            chroma: float(g.op('Concat', [inputs.u, inputs.v], { axis: attr.int(0) })),
          },
          sameSize,
        );
  const mapped = input.mapRgb(map);
  const out = mapped.planes();
  g.addOutput(out.y, 'uint8', ['H', 'W']);
  g.addOutput(out.u, 'uint8', ['h', 'w']);
  g.addOutput(out.v, 'uint8', ['h', 'w']);
  const luma = g.op('Identity', [mapped.yuvImages().luma], {}, 'luma');
  g.addOutput(luma, 'float32', [1, 1, 'H', 'W']);
  const session = await OnnxSession.create(g.toBytes(), { intraOpNumThreads: 1 });
  try {
    const chroma = [heightPx / 2, widthPx / 2];
    const results = await session.run({
      y: new ort.Tensor('uint8', planes.y, [heightPx, widthPx]),
      u: new ort.Tensor('uint8', planes.u, chroma),
      v: new ort.Tensor('uint8', planes.v, chroma),
    });
    const bytes = (name: string) => results[name]?.data as Uint8Array;
    return {
      y: bytes(out.y),
      u: bytes(out.u),
      v: bytes(out.v),
      luma: results.luma?.data as Float32Array,
    };
  } finally {
    await session.close();
  }
}

/** Round half to even, clipped to a byte (QuantizeLinear's rounding). */
const toByte = (value: number) => {
  const floor = Math.floor(value);
  const rounded = value - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(value);
  return Math.min(255, Math.max(0, rounded));
};

describe('perPlaneYuvMap', () => {
  it('sees invert as Y → 251 − Y, U → 256 − U, V → 256 − V', () => {
    expect(perPlaneYuvMap(invert)).toEqual({ scale: [-1, -1, -1], offset: [251, 256, 256] });
  });

  it('sees contrast and brightness (a · rgb + b) as per-plane, a channel swap as not', () => {
    const contrast = perPlaneYuvMap({
      matrix: [1.5, 0, 0, 0, 1.5, 0, 0, 0, 1.5],
      offset: [-20, -20, -20],
    });
    const expected = [1.5, 1.5, 1.5, 16 - 1.5 * 16 - (20 * 219) / 255, -64, -64];
    [...(contrast?.scale ?? []), ...(contrast?.offset ?? [])].forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 9);
    });
    const swapRedBlue: Affine3 = { matrix: [0, 0, 1, 0, 1, 0, 1, 0, 0], offset: [0, 0, 0] };
    expect(perPlaneYuvMap(swapRedBlue)).toBeUndefined();
  });
});

describe('GraphImage.mapRgb on I420 planes', () => {
  const widthPx = 16;
  const heightPx = 8;
  // Every code, out-of-gamut ones included: the per-plane map does not clip them to the RGB cube.
  const planes = {
    y: Uint8Array.from({ length: widthPx * heightPx }, (_, i) => (i * 2 + 1) % 256),
    u: Uint8Array.from({ length: (widthPx * heightPx) / 4 }, (_, i) => (i * 9) % 256),
    v: Uint8Array.from({ length: (widthPx * heightPx) / 4 }, (_, i) => 255 - ((i * 7) % 256)),
  };

  it.each(['planes', 'float YUV'] as const)(
    'inverts each plane on its own, every code (from %s)',
    async (from) => {
      const out = await mapPlanes(invert, widthPx, heightPx, planes, from);
      expect(Array.from(out.y)).toEqual(Array.from(planes.y, (y) => toByte(251 - y)));
      expect(Array.from(out.u)).toEqual(Array.from(planes.u, (u) => toByte(256 - u)));
      expect(Array.from(out.v)).toEqual(Array.from(planes.v, (v) => toByte(256 - v)));
      // The float form a later ONNX node reads is clipped to 0..255 too.
      expect(Array.from(out.luma)).toEqual(Array.from(planes.y, (y) => toByte(251 - y)));
    },
  );

  it.each(['planes', 'float YUV'] as const)(
    'maps U and V with their own coefficients (from %s)',
    async (from) => {
      const scale = [0.5, 1.5, -1];
      const offset = [10.25, -64, 300];
      const out = await mapPlanes(rgbMapOfPlanes(scale, offset), widthPx, heightPx, planes, from);
      const expected = (values: Uint8Array, plane: number) =>
        Array.from(values, (x) => toByte((scale[plane] as number) * x + (offset[plane] as number)));
      expect(Array.from(out.y)).toEqual(expected(planes.y, 0));
      expect(Array.from(out.u)).toEqual(expected(planes.u, 1));
      expect(Array.from(out.v)).toEqual(expected(planes.v, 2));
    },
  );
});
