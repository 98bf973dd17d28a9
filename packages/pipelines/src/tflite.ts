/** `@peerframe/pipelines/tflite`: Model conversion: TFLite FlatBuffers parsed and converted to ONNX. */

export { type AppendTfliteGraphOptions, appendTfliteGraph } from './tflite/appendTfliteGraph.ts';
export {
  TfliteConversionError,
  TfliteParseError,
  UnsupportedTfliteOpError,
} from './tflite/errors.ts';
