import { BaseError } from '@peerframe/core';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { UnsupportedTfliteOpError } from './errors.ts';
import { TfliteGraphContext } from './TfliteGraphContext.ts';
import type { TfliteModel } from './TfliteTypes.ts';
import { nchwToNhwc, nhwcToNchw } from './tfliteLayout.ts';
import { tfliteOpConverters } from './tfliteOpConverters.ts';

/**
 * How a model's rank-4 inputs and outputs are laid out in the ONNX graph: `'nhwc'` as in the
 * TFLite model, or `'nchw'` (no Transpose at the edges, for graphs that are NCHW already).
 */
export type TfliteImageLayout = 'nhwc' | 'nchw';

export type AppendTfliteGraphOptions = {
  /** Layout of the values passed in `inputs`. Default `'nhwc'`. */
  inputLayout?: TfliteImageLayout;
  /** Layout of the returned outputs. Default `'nhwc'`. */
  outputLayout?: TfliteImageLayout;
};

/** Bumped whenever the converter's output changes, so cached conversions are rebuilt. */
export const tfliteConverterVersion = 1;

/** Operators the converter maps, builtin names and custom codes. */
export const supportedTfliteOps: readonly string[] = Object.keys(tfliteOpConverters);

/**
 * Throws `UnsupportedTfliteOpError` naming the first operator of `model` that the converter has
 * no mapping for. Run before anything is built, so a model is refused as a whole.
 */
export function assertTfliteOpsSupported(model: TfliteModel): void {
  for (const op of model.operators) {
    if (!Object.hasOwn(tfliteOpConverters, op.opName)) {
      throw new UnsupportedTfliteOpError(op.opName, op.index, supportedTfliteOps);
    }
  }
}

/**
 * Writes the operators of a TFLite model into `g`, one ONNX node per operator (opset 17), fed
 * from the existing values `inputs` (one per model input, in order). Returns the ONNX values of
 * the model outputs. Weights become initializers (FLOAT16 ones widened to float32); every rank-4
 * tensor is NCHW inside the graph.
 */
export function appendTfliteGraph(
  g: OnnxGraphBuilder,
  model: TfliteModel,
  inputs: readonly string[],
  options: AppendTfliteGraphOptions = {},
): string[] {
  assertTfliteOpsSupported(model);
  const ctx = new TfliteGraphContext(g, model);
  if (inputs.length !== model.inputs.length) {
    throw ctx.error(`the model has ${model.inputs.length} inputs, got ${inputs.length} values`);
  }
  model.inputs.forEach((index, i) => {
    const value = inputs[i] as string;
    if (ctx.rank(index) === 4 && (options.inputLayout ?? 'nhwc') === 'nhwc') {
      ctx.defineNhwc(index, value);
    } else {
      ctx.define(index, value);
    }
  });
  for (const op of model.operators) {
    ctx.operator = op;
    try {
      (tfliteOpConverters[op.opName] as (typeof tfliteOpConverters)[string])(ctx, op);
    } catch (error) {
      // A corrupt model (impossible shapes, options or indices) must fail as a typed error.
      if (error instanceof BaseError) throw error;
      throw ctx.error('the operator does not fit its tensors (corrupt model?)', String(error));
    }
  }
  ctx.operator = undefined;
  return model.outputs.map((index) => {
    const value = ctx.value(index);
    return ctx.rank(index) === 4 && (options.outputLayout ?? 'nhwc') === 'nhwc'
      ? ctx.transpose(value, nchwToNhwc)
      : value;
  });
}

/** Shape of a TFLite tensor in the given layout. */
export function tfliteShapeIn(shape: readonly number[], layout: TfliteImageLayout): number[] {
  return shape.length === 4 && layout === 'nchw'
    ? nhwcToNchw.map((axis) => shape[axis] as number)
    : [...shape];
}
