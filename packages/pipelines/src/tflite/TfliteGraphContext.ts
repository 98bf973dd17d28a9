import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { TfliteConversionError } from './errors.ts';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './TfliteTypes.ts';
import { nchwToNhwc, nhwcToNchw, permute, transposeData } from './tfliteLayout.ts';

/** A constant tensor known at conversion time, TFLite order. */
export type ConstantTensor = {
  readonly data: Float32Array | Int32Array;
  readonly shape: readonly number[];
};

/**
 * What the operator converters share while one TFLite subgraph is written into an
 * `OnnxGraphBuilder`: which ONNX value holds each TFLite tensor, constants folded so far
 * (dequantized weights), and the layout rule — a rank-4 TFLite tensor (NHWC) is held as NCHW,
 * every other tensor as is.
 */
export class TfliteGraphContext {
  readonly g: OnnxGraphBuilder;
  readonly model: TfliteModel;
  /** ONNX value of each defined tensor, in graph layout. */
  readonly #values = new Map<number, string>();
  readonly #constants = new Map<number, ConstantTensor>();
  /** The operator being converted, for error messages. */
  #operator: TfliteOperator | undefined;

  constructor(g: OnnxGraphBuilder, model: TfliteModel) {
    this.g = g;
    this.model = model;
  }

  set operator(operator: TfliteOperator | undefined) {
    this.#operator = operator;
  }

  /** An error about the operator being converted. */
  error(message: string, details?: string): TfliteConversionError {
    const op = this.#operator;
    const where = op === undefined ? '' : `${op.opName} (operator #${op.index}): `;
    return new TfliteConversionError(
      `${where}${message}`,
      details === undefined ? {} : { details },
    );
  }

  tensor(index: number | undefined): TfliteTensor {
    const tensor = index === undefined || index < 0 ? undefined : this.model.tensors[index];
    if (tensor === undefined) throw this.error(`missing tensor ${String(index)}`);
    return tensor;
  }

  /** Static shape, TFLite order. */
  shape(index: number | undefined): readonly number[] {
    return this.tensor(index).shape;
  }

  rank(index: number | undefined): number {
    return this.shape(index).length;
  }

  /** The data of a constant tensor (a float32 or int32 buffer, or a folded result), if it is one. */
  constant(index: number | undefined): ConstantTensor | undefined {
    if (index === undefined || index < 0) return undefined;
    const folded = this.#constants.get(index);
    if (folded !== undefined) return folded;
    const tensor = this.tensor(index);
    const bytes = tensor.data;
    if (bytes === undefined) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let data: Float32Array | Int32Array;
    if (tensor.type === 'FLOAT32') {
      data = Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) =>
        view.getFloat32(4 * i, true),
      );
    } else if (tensor.type === 'INT32') {
      data = Int32Array.from({ length: bytes.byteLength / 4 }, (_, i) =>
        view.getInt32(4 * i, true),
      );
    } else {
      throw this.error(
        `constant tensor "${tensor.name}" is ${tensor.type}`,
        'constants must be FLOAT32 or INT32, or FLOAT16/INT8/UINT8 behind a DEQUANTIZE',
      );
    }
    const constant = { data, shape: tensor.shape };
    this.#constants.set(index, constant);
    return constant;
  }

  /** A constant the operator needs (weights, a shape, axes); throws when the tensor is computed. */
  requireConstant(index: number | undefined, what: string): ConstantTensor {
    const constant = this.constant(index);
    if (constant === undefined) {
      throw this.error(`${what} must be a constant tensor`, `tensor ${String(index)} is computed`);
    }
    return constant;
  }

  /** Float weights of the operator (constant, float32). */
  requireFloats(index: number | undefined, what: string): Float32Array {
    const { data } = this.requireConstant(index, what);
    if (!(data instanceof Float32Array)) throw this.error(`${what} must be float`);
    return data;
  }

  /** Integer parameters of the operator (constant, int32), e.g. a size or axes. */
  requireInts(index: number | undefined, what: string): number[] {
    const { data } = this.requireConstant(index, what);
    if (!(data instanceof Int32Array)) throw this.error(`${what} must be int32`);
    return Array.from(data);
  }

  /** Records a folded constant (e.g. a DEQUANTIZE of weights): no ONNX node is emitted. */
  setConstant(index: number, constant: ConstantTensor): void {
    this.#constants.set(index, constant);
  }

  /** The ONNX value of tensor `index` in graph layout (NCHW for rank 4). */
  value(index: number | undefined): string {
    const tensor = this.tensor(index);
    const existing = this.#values.get(tensor.index);
    if (existing !== undefined) return existing;
    const constant = this.constant(tensor.index);
    if (constant === undefined) {
      throw this.error(`tensor "${tensor.name}" is used before any operator produces it`);
    }
    if (!(constant.data instanceof Float32Array)) {
      throw this.error(`constant "${tensor.name}" is used as data but is not float`);
    }
    const name =
      constant.shape.length === 4
        ? this.g.constant(
            transposeData(constant.data, constant.shape, nhwcToNchw),
            permute(constant.shape, nhwcToNchw),
            'tfl_const',
          )
        : this.g.constant(constant.data, constant.shape, 'tfl_const');
    this.#values.set(tensor.index, name);
    return name;
  }

  /** The ONNX value of tensor `index` in TFLite order (a Transpose when it is held as NCHW). */
  nhwcValue(index: number | undefined): string {
    const value = this.value(index);
    return this.rank(index) === 4 ? this.transpose(value, nchwToNhwc) : value;
  }

  /** Binds tensor `index` to an ONNX value in graph layout. Activations must be float32. */
  define(index: number | undefined, name: string): void {
    const tensor = this.tensor(index);
    if (tensor.type !== 'FLOAT32') {
      throw this.error(
        `output "${tensor.name}" is ${tensor.type}`,
        'the converter handles float32 activations only (no quantized models)',
      );
    }
    if (this.#values.has(tensor.index)) throw this.error(`tensor "${tensor.name}" defined twice`);
    this.#values.set(tensor.index, name);
  }

  /** Binds tensor `index` to an ONNX value in TFLite order (transposed to NCHW when rank 4). */
  defineNhwc(index: number | undefined, name: string): void {
    this.define(index, this.rank(index) === 4 ? this.transpose(name, nhwcToNchw) : name);
  }

  transpose(value: string, perm: readonly number[]): string {
    return this.g.op('Transpose', [value], { perm: attr.ints(perm) });
  }

  floats(values: ArrayLike<number>, dims: readonly number[], prefix = 'tfl_const'): string {
    return this.g.constant(Float32Array.from(values), dims, prefix);
  }

  int64s(values: readonly number[], prefix = 'tfl_shape'): string {
    return this.g.constant(BigInt64Array.from(values, BigInt), [values.length], prefix);
  }
}
