/**
 * Layout helpers. TFLite images are NHWC; onnxruntime's fast convolution kernels want NCHW. The
 * converter keeps every rank-4 TFLite tensor as NCHW in the ONNX graph and every other tensor
 * as is, so each operator maps to one ONNX node and transposes appear only where data changes
 * rank (RESHAPE) or at the graph's edges.
 */

/** NHWC → NCHW: `nchw[i] = nhwc[nhwcToNchw[i]]`. */
export const nhwcToNchw = [0, 3, 1, 2] as const;
/** NCHW → NHWC. */
export const nchwToNhwc = [0, 2, 3, 1] as const;

/** Where NHWC axis `axis` (negative counts from the end) lands in NCHW. */
export function nchwAxis(axis: number): number {
  const positive = axis < 0 ? axis + 4 : axis;
  return [0, 2, 3, 1][positive] as number;
}

/** The elements of a row-major array of `shape` with its axes permuted (`out axis i = in axis perm[i]`). */
export function transposeData<T extends Float32Array | Int32Array>(
  data: T,
  shape: readonly number[],
  perm: readonly number[],
): T {
  const rank = shape.length;
  const outShape = perm.map((axis) => shape[axis] as number);
  const inStrides = stridesOf(shape);
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < data.length; flat++) {
    let source = 0;
    for (let i = 0; i < rank; i++)
      source += (index[i] as number) * (inStrides[perm[i] as number] as number);
    out[flat] = data[source] as number;
    for (let i = rank - 1; i >= 0; i--) {
      index[i] = (index[i] as number) + 1;
      if ((index[i] as number) < (outShape[i] as number)) break;
      index[i] = 0;
    }
  }
  return out;
}

export function permute<T>(values: readonly T[], perm: readonly number[]): T[] {
  return perm.map((axis) => values[axis] as T);
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) {
    strides[i] = (strides[i + 1] as number) * (shape[i + 1] as number);
  }
  return strides;
}

/**
 * TFLite `SAME` padding of one spatial axis: the output has ⌈in / stride⌉ positions and the
 * missing input is split with the smaller half before (TensorFlow puts the extra pixel after).
 */
export function samePadding(
  inSize: number,
  kernel: number,
  stride: number,
  dilation = 1,
): [number, number] {
  const effectiveKernel = (kernel - 1) * dilation + 1;
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effectiveKernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
