/** Tensor element types the builder can declare (ONNX `TensorProto.DataType`). */
export type OnnxElementType = 'float32' | 'uint8' | 'int64';

/** ONNX `TensorProto.DataType` numbers. */
export const onnxDataType = { float32: 1, uint8: 2, int64: 7 } as const satisfies Record<
  OnnxElementType,
  number
>;

/** One dimension of a declared shape: a size, or a symbolic name shared by inputs and outputs. */
export type OnnxDim = number | string;

/** Typed arrays that become tensors; the element type follows from the array type. */
export type OnnxTensorData = Float32Array | BigInt64Array | Uint8Array;

/** A constant tensor: row-major `data` with `dims` (`[]` for a scalar). */
export type OnnxTensor = {
  readonly data: OnnxTensorData;
  readonly dims: readonly number[];
};

/** A node attribute, tagged with its ONNX type. Build them with {@link attr}. */
export type OnnxAttribute =
  | { readonly type: 'int'; readonly value: number | bigint }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly (number | bigint)[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'tensor'; readonly value: OnnxTensor };

/** Node attributes by name. */
export type OnnxAttributes = Readonly<Record<string, OnnxAttribute>>;

/**
 * Attribute constructors. ONNX tells `1` (INT) from `1.0` (FLOAT), JavaScript does not, so each
 * attribute names its type: `{ axis: attr.int(1), alpha: attr.float(0.2), mode: attr.string('nearest') }`.
 */
export const attr = {
  int: (value: number | bigint): OnnxAttribute => ({ type: 'int', value }),
  float: (value: number): OnnxAttribute => ({ type: 'float', value }),
  string: (value: string): OnnxAttribute => ({ type: 'string', value }),
  ints: (value: readonly (number | bigint)[]): OnnxAttribute => ({ type: 'ints', value }),
  floats: (value: readonly number[]): OnnxAttribute => ({ type: 'floats', value }),
  tensor: (data: OnnxTensorData, dims: readonly number[]): OnnxAttribute => ({
    type: 'tensor',
    value: { data, dims },
  }),
} as const;

/** The element type a typed array stands for. */
export function elementTypeOf(data: OnnxTensorData): OnnxElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'uint8';
}
