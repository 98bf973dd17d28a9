import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { type Affine3, composeAffine3, rgbToYuv, yuvToRgb } from './bt601.ts';
import { graphConstants } from './i420GraphIo.ts';

/** An affine map of each YUV plane on its own: `plane' = scale · plane + offset` (Y, U, V). */
export type PerPlaneMap = {
  readonly scale: readonly [number, number, number];
  readonly offset: readonly [number, number, number];
};

/** Coefficients closer than this to an integer are that integer (float64 composition noise). */
const snapTolerance = 1e-9;

const snap = (value: number) =>
  Math.abs(value - Math.round(value)) < snapTolerance ? Math.round(value) + 0 : value;

/**
 * `map` (on RGB 0..255) seen from BT.601 YUV — `rgbToYuv ∘ map ∘ yuvToRgb` — when that is a map of
 * each plane on its own (a diagonal matrix: no plane reads another), else `undefined`. Then an
 * I420 frame can be mapped plane by plane: no chroma upsampling, no RGB, no 2×2 chroma average.
 * Invert (`255 − rgb`) is `Y' = 251 − Y`, `U' = 256 − U`, `V' = 256 − V`; so is any grey-preserving
 * map `a · rgb + b` (contrast and brightness). For colours inside the RGB cube the planes are
 * the RGB path's; outside it the RGB path first clips the colour to the cube and this does not
 * (it keeps the input's out-of-range codes, mapped), so a viewer's clipped RGB is `map` of its
 * clipped RGB either way for maps such as invert that commute with the clip.
 */
export function perPlaneYuvMap(map: Affine3): PerPlaneMap | undefined {
  const yuv = composeAffine3(rgbToYuv, composeAffine3(map, yuvToRgb));
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      if (row !== col && Math.abs(yuv.matrix[row * 3 + col] as number) > snapTolerance) {
        return undefined;
      }
    }
  }
  const at = (values: readonly number[], i: number) => snap(values[i] as number);
  return {
    scale: [at(yuv.matrix, 0), at(yuv.matrix, 4), at(yuv.matrix, 8)],
    offset: [at(yuv.offset, 0), at(yuv.offset, 1), at(yuv.offset, 2)],
  };
}

/**
 * `scale · x + offset` on a float tensor, in as few elementwise ops as the coefficients allow
 * (`offset − x` for invert): one pass over the plane instead of two.
 */
export function mapPlaneValues(
  g: OnnxGraphBuilder,
  x: string,
  scale: number | string,
  offset: number | string,
): string {
  const { scalar } = graphConstants(g);
  const value = (v: number | string) => (typeof v === 'number' ? scalar(v) : v);
  if (scale === -1) return g.op('Sub', [value(offset), x]);
  const scaled = scale === 1 ? x : g.op('Mul', [x, value(scale)]);
  return offset === 0 ? scaled : g.op('Add', [scaled, value(offset)]);
}

/**
 * Float luma (any shape) and chroma (U then V, any shape with 2·H/2·W/2 elements) mapped plane by
 * plane (see {@link perPlaneYuvMap}); not clipped. Chroma keeps its shape when U and V share
 * their coefficients, else it comes back `[2, H/2·W/2]`.
 */
export function mapYuvPlanes(
  g: OnnxGraphBuilder,
  { scale, offset }: PerPlaneMap,
  yuv: { readonly luma: string; readonly chroma: string },
): { luma: string; chroma: string } {
  const luma = mapPlaneValues(g, yuv.luma, scale[0], offset[0]);
  if (scale[1] === scale[2] && offset[1] === offset[2]) {
    return { luma, chroma: mapPlaneValues(g, yuv.chroma, scale[1], offset[1]) };
  }
  const { int64s, floats } = graphConstants(g);
  const columns = g.op('Reshape', [yuv.chroma, int64s(2, -1)]);
  const perChannel = (values: readonly number[]) => floats(values.slice(1), [2, 1]);
  return {
    luma,
    chroma: g.op('Add', [g.op('Mul', [columns, perChannel(scale)]), perChannel(offset)]),
  };
}

/**
 * uint8 planes mapped plane by plane (see {@link perPlaneYuvMap}), each in its own shape: `Cast`,
 * the map, and a `QuantizeLinear` that rounds half to even and clips to 0..255 — the last op can
 * write a graph output in place (no reshape, concat or split of the planes).
 */
export function mapI420Planes(
  g: OnnxGraphBuilder,
  { scale, offset }: PerPlaneMap,
  planes: { readonly y: string; readonly u: string; readonly v: string },
): { y: string; u: string; v: string } {
  const { scalar } = graphConstants(g);
  const zeroPoint = g.constant(Uint8Array.of(0), [], 'zero_point');
  const mapBytes = (plane: string, index: number) => {
    const values = g.op('Cast', [plane], { to: attr.int(1) });
    const mapped = mapPlaneValues(g, values, scale[index] as number, offset[index] as number);
    return g.op('QuantizeLinear', [mapped, scalar(1), zeroPoint]);
  };
  return { y: mapBytes(planes.y, 0), u: mapBytes(planes.u, 1), v: mapBytes(planes.v, 2) };
}
