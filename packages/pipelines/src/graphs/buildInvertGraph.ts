import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { type Affine3, composeAffine3, rgbToYuv, yuvToRgb } from './bt601.ts';

/** Input and output names of the invert graph (ONNX value names must differ between the two). */
export const invertGraphNames = {
  inputs: { y: 'y', u: 'u', v: 'v' },
  outputs: { y: 'y_out', u: 'u_out', v: 'v_out' },
} as const;

/** The effect: `rgb → 255 − rgb`, as an affine map. */
const invertRgb: Affine3 = { matrix: [-1, 0, 0, 0, -1, 0, 0, 0, -1], offset: [255, 255, 255] };

/**
 * An ONNX model that inverts the colours of an I420 frame, colour conversion included:
 *
 * inputs `y [H, W]`, `u [H/2, W/2]`, `v [H/2, W/2]` (uint8, BT.601 limited range) →
 * upsample chroma 2× (nearest) → RGB → `255 − rgb` → clip 0..255 →
 * Y per pixel, U and V from the 2×2 average of RGB → round, clip 0..255 →
 * outputs `y_out`, `u_out`, `v_out` (uint8, same shapes).
 *
 * H and W are symbolic, so one model serves every even frame size.
 *
 * Shaped for onnxruntime's CPU kernels (about 2 ms at 512×512 on one thread): pixels are the
 * columns of a `[3, H·W]` matrix so colour matrices are one MatMul (a 1×1 Conv would be padded
 * to 16 channels by the NCHWc optimiser); the invert is folded into the YUV → RGB matrix, as
 * `255 − (M·x + o) = (−M)·x + (255 − o)`; `QuantizeLinear` with a zero point does "add the
 * Y or UV offset, round, clip 0..255, cast to uint8" in one pass; chroma is upsampled as uint8
 * with Resize in its `asymmetric`/`floor` mode, which has a fast path.
 */
export function buildInvertGraph(): Uint8Array {
  const g = new OnnxGraphBuilder({ graphName: 'peerframe_invert' });
  const { inputs, outputs } = invertGraphNames;
  const int64s = (...values: number[]) =>
    g.constant(BigInt64Array.from(values, BigInt), [values.length], 'shape');
  const floats = (values: readonly number[], dims: readonly number[], prefix: string) =>
    g.constant(Float32Array.from(values), dims, prefix);

  const y = g.addInput(inputs.y, 'uint8', ['H', 'W']);
  const u = g.addInput(inputs.u, 'uint8', ['H_2', 'W_2']);
  const v = g.addInput(inputs.v, 'uint8', ['H_2', 'W_2']);
  const lumaShape = g.op('Shape', [y]); // [H, W]
  const chromaShape = g.op('Shape', [u]); // [H/2, W/2]

  // I420 → YUV 4:4:4 as a [3, H·W] uint8 matrix, then float.
  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]); // [1, 1, h, w]
  const uv = g.op('Concat', [toImage(u), toImage(v)], { axis: attr.int(1) }); // [1, 2, H/2, W/2]
  const uvFull = g.op('Resize', [uv, '', floats([1, 1, 2, 2], [4], 'scales')], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  }); // [1, 2, H, W]
  const yuv = g.op('Concat', [toImage(y), uvFull], { axis: attr.int(1) }); // [1, 3, H, W]
  const yuvColumns = g.op('Cast', [g.op('Reshape', [yuv, int64s(3, -1)])], { to: attr.int(1) });

  // YUV → RGB → inverted RGB, clipped: one affine map, then Clip.
  const toInverted = composeAffine3(invertRgb, yuvToRgb);
  const inverted = g.op('Clip', [
    affine(g, toInverted, [0, 1, 2], yuvColumns),
    floats([0], [], 'min'),
    floats([255], [], 'max'),
  ]); // [3, H·W]

  // RGB → Y per pixel. QuantizeLinear adds the offset 16 (its zero point), rounds, clips, casts.
  const [yOffset, uOffset, vOffset] = rgbToYuv.offset as [number, number, number];
  const yLinear = g.op('Reshape', [affine(g, rgbToYuv, [0], inverted, false), lumaShape]);
  const yZeroPoint = g.constant(Uint8Array.of(yOffset), [], 'zero_point');
  g.op('QuantizeLinear', [yLinear, floats([1], [], 'scale'), yZeroPoint], {}, outputs.y);

  // RGB → 2×2 average → U, V (offset 128 as the zero point).
  const image = g.op('Reshape', [
    inverted,
    g.op('Concat', [int64s(1, 3), lumaShape], { axis: attr.int(0) }),
  ]);
  const average = g.op('AveragePool', [image], {
    kernel_shape: attr.ints([2, 2]),
    strides: attr.ints([2, 2]),
  });
  const uvLinear = affine(g, rgbToYuv, [1, 2], g.op('Reshape', [average, int64s(3, -1)]), false);
  const uvPlanes = g.op('Reshape', [
    uvLinear,
    g.op('Concat', [int64s(2), chromaShape], { axis: attr.int(0) }),
  ]);
  const uvZeroPoint = g.constant(Uint8Array.of(uOffset, vOffset), [2], 'zero_point');
  const uvBytes = g.op('QuantizeLinear', [uvPlanes, floats([1, 1], [2], 'scale'), uvZeroPoint], {
    axis: attr.int(0),
  });
  const [uPlane, vPlane] = g.addNode('Split', [uvBytes], ['u_plane', 'v_plane'], {
    axis: attr.int(0),
  });
  g.op('Squeeze', [uPlane as string, int64s(0)], {}, outputs.u);
  g.op('Squeeze', [vPlane as string, int64s(0)], {}, outputs.v);

  g.addOutput(outputs.y, 'uint8', ['H', 'W']);
  g.addOutput(outputs.u, 'uint8', ['H_2', 'W_2']);
  g.addOutput(outputs.v, 'uint8', ['H_2', 'W_2']);
  return g.toBytes();
}

/**
 * `rows` of an affine colour map applied to the columns of a `[3, N]` matrix: a MatMul and, when
 * `withOffset`, an Add (onnxruntime fuses the two into one Gemm). Returns `[rows.length, N]`.
 * Without the offset, the caller adds it elsewhere (here: as a QuantizeLinear zero point).
 */
function affine(
  g: OnnxGraphBuilder,
  { matrix, offset }: Affine3,
  rows: readonly number[],
  columns: string,
  withOffset = true,
): string {
  const weights = Float32Array.from(rows.flatMap((row) => matrix.slice(row * 3, row * 3 + 3)));
  const product = g.op('MatMul', [g.constant(weights, [rows.length, 3], 'matrix'), columns]);
  if (!withOffset) return product;
  const bias = Float32Array.from(rows, (row) => offset[row] as number);
  return g.op('Add', [product, g.constant(bias, [rows.length, 1], 'offset')]);
}
