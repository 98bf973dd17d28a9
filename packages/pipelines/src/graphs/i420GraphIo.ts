import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { type Affine3, rgbToYuv } from './bt601.ts';

/** The planes of an I420 filter graph and what most filters need from them. */
export type I420GraphInputs = {
  /** uint8 inputs `y [H, W]`, `u`, `v [H/2, W/2]`. */
  readonly y: string;
  readonly u: string;
  readonly v: string;
  /** int64 `[H, W]` and `[H/2, W/2]`. */
  readonly lumaShape: string;
  readonly chromaShape: string;
};

/** Small helpers bound to one graph. */
export function graphConstants(g: OnnxGraphBuilder) {
  return {
    int64s: (...values: number[]) =>
      g.constant(BigInt64Array.from(values, BigInt), [values.length], 'shape'),
    scalar: (value: number) => g.constant(Float32Array.of(value), [], 'scalar'),
    floats: (values: readonly number[], dims: readonly number[]) =>
      g.constant(Float32Array.from(values), dims, 'floats'),
  };
}

/** Luma as a float image `[1, 1, H, W]`. */
export function lumaImage(g: OnnxGraphBuilder, io: I420GraphInputs): string {
  const { int64s } = graphConstants(g);
  return g.op('Cast', [g.op('Unsqueeze', [io.y, int64s(0, 1)])], { to: attr.int(1) });
}

/** U and V as a float image `[1, 2, H/2, W/2]`. */
export function chromaImage(g: OnnxGraphBuilder, io: I420GraphInputs): string {
  const { int64s } = graphConstants(g);
  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]);
  const uv = g.op('Concat', [toImage(io.u), toImage(io.v)], { axis: attr.int(1) });
  return g.op('Cast', [uv], { to: attr.int(1) });
}

/**
 * The frame as YUV 4:4:4 float columns `[3, H·W]` (chroma upsampled 2× nearest, as uint8 where
 * onnxruntime's Resize has a fast path): the input of a colour matrix.
 */
export function yuvColumns(g: OnnxGraphBuilder, io: I420GraphInputs): string {
  const { int64s, floats } = graphConstants(g);
  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]);
  const uv = g.op('Concat', [toImage(io.u), toImage(io.v)], { axis: attr.int(1) });
  const uvFull = g.op('Resize', [uv, '', floats([1, 1, 2, 2], [4])], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
  const yuv = g.op('Concat', [toImage(io.y), uvFull], { axis: attr.int(1) }); // [1, 3, H, W]
  return g.op('Cast', [g.op('Reshape', [yuv, int64s(3, -1)])], { to: attr.int(1) });
}

/**
 * `rows` of an affine colour map applied to the columns of a `[3, N]` matrix (MatMul + Add,
 * which onnxruntime fuses into one Gemm). Returns `[rows.length, N]`.
 */
export function affineColumns(
  g: OnnxGraphBuilder,
  { matrix, offset }: Affine3,
  rows: readonly number[],
  columns: string,
): string {
  const weights = Float32Array.from(rows.flatMap((row) => matrix.slice(row * 3, row * 3 + 3)));
  const product = g.op('MatMul', [g.constant(weights, [rows.length, 3], 'matrix'), columns]);
  const bias = Float32Array.from(rows, (row) => offset[row] as number);
  return g.op('Add', [product, g.constant(bias, [rows.length, 1], 'offset')]);
}

/**
 * uint8 planes `[H, W]`, `[H/2, W/2]` ×2 from float luma (any shape with H·W elements) and float
 * chroma (U then V, any shape with 2·H/2·W/2 elements): rounded half to even and clipped to
 * 0..255 (one QuantizeLinear each). `names` names the three planes (default: fresh names).
 *
 * The floats are reshaped before they are quantized (a reshape is free there) and U and V are
 * the two halves of chroma seen as `[H, W/2]`, so the QuantizeLinear and Split outputs are the
 * planes themselves: a Reshape or Squeeze after them would copy each plane once more when it is a
 * graph output (onnxruntime does not alias those; 0.2–0.4 ms a frame at 1280×720).
 */
export function i420PlanesFromYuv(
  g: OnnxGraphBuilder,
  shapes: { readonly lumaShape: string; readonly chromaShape: string },
  luma: string,
  chroma: string,
  names?: { readonly y: string; readonly u: string; readonly v: string },
): { y: string; u: string; v: string } {
  const { int64s, scalar } = graphConstants(g);
  const zeroPoint = g.constant(Uint8Array.of(0), [], 'zero_point');
  const toBytes = (x: string, name?: string) =>
    g.op('QuantizeLinear', [x, scalar(1), zeroPoint], {}, name);
  const y = toBytes(g.op('Reshape', [luma, shapes.lumaShape]), names?.y);
  // U above V: `[2·H/2, W/2]`.
  const stackedShape = g.op('Mul', [shapes.chromaShape, int64s(2, 1)]);
  const uvBytes = toBytes(g.op('Reshape', [chroma, stackedShape]));
  const [u, v] = g.addNode(
    'Split',
    [uvBytes],
    [names?.u ?? g.fresh('u'), names?.v ?? g.fresh('v')],
    {
      axis: attr.int(0),
    },
  );
  return { y, u: u as string, v: v as string };
}

/**
 * Float luma `[1, H·W]` and chroma `[2, H/2·W/2]` (0..255) from RGB float columns `[3, H·W]`
 * (0..`fullScale`): Y per pixel, U and V from the 2×2 average of RGB (as an encoder does),
 * BT.601 limited range.
 */
export function yuvFromRgbColumns(
  g: OnnxGraphBuilder,
  lumaShape: string,
  rgbColumns: string,
  fullScale = 255,
): { luma: string; chroma: string } {
  const { int64s } = graphConstants(g);
  const toYuv: Affine3 = {
    matrix: rgbToYuv.matrix.map((value) => (value * 255) / fullScale),
    offset: rgbToYuv.offset,
  };
  const luma = affineColumns(g, toYuv, [0], rgbColumns);
  const image = g.op('Reshape', [
    rgbColumns,
    g.op('Concat', [int64s(1, 3), lumaShape], { axis: attr.int(0) }),
  ]);
  const average = g.op('AveragePool', [image], {
    kernel_shape: attr.ints([2, 2]),
    strides: attr.ints([2, 2]),
  });
  const chroma = affineColumns(g, toYuv, [1, 2], g.op('Reshape', [average, int64s(3, -1)]));
  return { luma, chroma };
}
