export { type AssertI420FrameOptions, assertI420Frame, maxFrameSidePx } from './assertI420Frame.ts';
export {
  DuplicatePipelineError,
  InvalidFrameError,
  InvalidPipelineParamsError,
  PipelineClosedError,
  UnknownPipelineError,
} from './errors.ts';
export { type Frame, type FrameFormat, i420ByteLength, i420Planes } from './Frame.ts';
export { type Affine3, rgbToYuv, yuvToRgb } from './graphs/bt601.ts';
export { buildInvertGraph, invertGraphNames } from './graphs/buildInvertGraph.ts';
export {
  defaultInvertPipelineOptions,
  InvertPipeline,
  type InvertPipelineOptions,
} from './InvertPipeline.ts';
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
  OnnxSession,
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
export { PassthroughPipeline } from './PassthroughPipeline.ts';
export type { Pipeline, PipelineDescriptor, PipelineParams, PipelineState } from './Pipeline.ts';
export {
  type DefaultPipelineRegistryOptions,
  defaultPipelineRegistry,
  PipelineRegistry,
} from './PipelineRegistry.ts';
