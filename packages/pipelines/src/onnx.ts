/** `@peerframe/pipelines/onnx`: ONNX: the graph builder (models in code) and sessions with execution providers. */
export {
  ExecutionProviderUnavailableError,
  OnnxModelError,
  OnnxSessionClosedError,
  OnnxSessionError,
} from './onnx/errors.ts';
export {
  cudaProviderLibraryInstalled,
  type ExecutionProviderChoice,
  type ExecutionProviderName,
  type ExecutionProviderSelection,
  executionProviderChoices,
  executionProvidersOf,
  executionProviderUnavailableReason,
  InvalidExecutionProviderError,
  onnxruntimeBindingDir,
  parseExecutionProviderChoice,
  selectExecutionProvider,
} from './onnx/executionProviders.ts';
export {
  defaultOnnxGraphBuilderOptions,
  OnnxGraphBuilder,
  type OnnxGraphBuilderOptions,
  type OnnxNodeOptions,
} from './onnx/OnnxGraphBuilder.ts';
export {
  defaultOnnxSessionOptions,
  type OnnxSessionOptions,
  type OnnxTensors,
  type OutputLocation,
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
