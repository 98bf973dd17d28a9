import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import {
  type AppendTfliteGraphOptions,
  appendTfliteGraph,
  type TfliteImageLayout,
  tfliteShapeIn,
} from './appendTfliteGraph.ts';
import { TfliteConversionError } from './errors.ts';
import { parseTfliteModel } from './parseTfliteModel.ts';
import type { TfliteModel } from './TfliteTypes.ts';

export type ConvertTfliteToOnnxOptions = {
  /** Layout of rank-4 graph inputs and outputs. Default `'nhwc'` (the TFLite model's own). */
  layout?: TfliteImageLayout;
  /** `GraphProto.name`. Default `'tflite'`. */
  graphName?: string;
};

/**
 * Converts a TFLite model (file bytes or a parsed model) into ONNX `ModelProto` bytes (IR 8,
 * opset 17) with the same inputs and outputs, named after the TFLite tensors. Float32 models,
 * with FLOAT16 or INT8 weights behind DEQUANTIZE. An operator without a mapping throws
 * `UnsupportedTfliteOpError` naming it.
 */
export function convertTfliteToOnnx(
  model: Uint8Array | TfliteModel,
  options: ConvertTfliteToOnnxOptions = {},
): Uint8Array {
  const parsed = model instanceof Uint8Array ? parseTfliteModel(model) : model;
  const layout = options.layout ?? 'nhwc';
  const g = new OnnxGraphBuilder({ graphName: options.graphName ?? 'tflite' });
  const names = new Set<string>();
  const ioName = (index: number) => {
    const tensor = parsed.tensors[index];
    let name = tensor?.name.replace(/[^A-Za-z0-9_.:/-]/g, '_') || `tensor_${index}`;
    while (names.has(name)) name = `${name}_`;
    names.add(name);
    if (tensor?.type !== 'FLOAT32') {
      throw new TfliteConversionError(`Model input or output "${name}" is not float32`, {
        details: `got ${String(tensor?.type)}`,
      });
    }
    return { name, shape: tfliteShapeIn(tensor.shape, layout) };
  };
  const inputs = parsed.inputs.map((index) => {
    const { name, shape } = ioName(index);
    return g.addInput(name, 'float32', shape);
  });
  const appendOptions: AppendTfliteGraphOptions = { inputLayout: layout, outputLayout: layout };
  const outputs = appendTfliteGraph(g, parsed, inputs, appendOptions);
  parsed.outputs.forEach((index, i) => {
    const { name, shape } = ioName(index);
    g.addOutput(g.op('Identity', [outputs[i] as string], {}, name), 'float32', shape);
  });
  return g.toBytes();
}
