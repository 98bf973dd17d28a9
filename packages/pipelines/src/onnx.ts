/** `@peerframe/pipelines/onnx`: ONNX: the graph builder (models in code) and sessions with execution providers. */
export {
  ExecutionProviderUnavailableError,
  OnnxModelError,
  OnnxSessionClosedError,
  OnnxSessionError,
} from './onnx/errors.ts';
export {
  defaultOnnxGraphBuilderOptions,
  OnnxGraphBuilder,
  type OnnxGraphBuilderOptions,
  type OnnxNodeOptions,
} from './onnx/OnnxGraphBuilder.ts';
export {
  defaultOnnxSessionOptions,
  type ExecutionProviderChoice,
  type OnnxSessionOptions,
  type OnnxTensors,
} from './onnx/OnnxSession.ts';
export {
  attr,
  type OnnxAttribute,
  type OnnxAttributes,
  type OnnxDim,
  type OnnxElementType,
  type OnnxTensor,
  type OnnxTensorData,
} from './onnx/OnnxTypes.ts';
export { encodeVarint, ProtobufWriter } from './onnx/ProtobufWriter.ts';
