export { type AssertI420FrameOptions, assertI420Frame, maxFrameSidePx } from './assertI420Frame.ts';
export {
  type BackgroundBlurParams,
  BackgroundBlurPipeline,
  type BackgroundBlurPipelineOptions,
  backgroundBlurParamsSchema,
  defaultBackgroundBlurPipelineOptions,
} from './BackgroundBlurPipeline.ts';
export {
  type ColorGradeParams,
  type ColorGradeTransform,
  colorGradeFilter,
  colorGradeParamsSchema,
  colorGradeTransform,
} from './colorGradeFilter.ts';
export {
  DuplicatePipelineError,
  InvalidFrameError,
  InvalidPipelineParamsError,
  PipelineClosedError,
  UnknownPipelineError,
} from './errors.ts';
export {
  defaultFilterPipelineOptions,
  type FilterDefinition,
  FilterPipeline,
  type FilterPipelineOptions,
} from './FilterPipeline.ts';
export { type Frame, type FrameFormat, i420ByteLength, i420Planes } from './Frame.ts';
export { type Affine3, rgbToYuv, yuvToRgb } from './graphs/bt601.ts';
export {
  type BackgroundBlurGraphOptions,
  backgroundBlurGraphNames,
  buildBackgroundBlurGraph,
} from './graphs/buildBackgroundBlurGraph.ts';
export {
  buildColorGradeGraph,
  colorGradeCurveSize,
  colorGradeGraphNames,
} from './graphs/buildColorGradeGraph.ts';
export { buildInvertGraph, invertGraphNames } from './graphs/buildInvertGraph.ts';
export { buildPixelateGraph } from './graphs/buildPixelateGraph.ts';
export { buildSegmentationGraph, segmentationGraphNames } from './graphs/buildSegmentationGraph.ts';
export { buildSketchGraph, sketchGraphNames } from './graphs/buildSketchGraph.ts';
export {
  buildToonGraph,
  toonEdgeRamp,
  toonEdgeThreshold,
  toonGraphNames,
} from './graphs/buildToonGraph.ts';
export {
  type GaussianBlurPlan,
  type GaussianBlurPlanOptions,
  gaussianBlurPlan,
} from './graphs/gaussianBlurPlan.ts';
export {
  addI420Inputs,
  addI420Outputs,
  addI420OutputsFromRgb,
  affineColumns,
  chromaImage,
  filterGraphNames,
  type I420GraphInputs,
  lumaImage,
  yuvColumns,
} from './graphs/i420GraphIo.ts';
export { sobelMagnitude } from './graphs/sobelMagnitude.ts';
export {
  defaultInvertPipelineOptions,
  InvertPipeline,
  type InvertPipelineOptions,
} from './InvertPipeline.ts';
export { InvalidModelCacheKeyError, ModelHashMismatchError } from './models/errors.ts';
export { type LoadTfliteAsOnnxOptions, loadTfliteAsOnnx } from './models/loadTfliteAsOnnx.ts';
export { ModelCache, sha256Hex } from './models/ModelCache.ts';
export { type ModelFile, readVerifiedModelFile, resolveModelFile } from './models/ModelFile.ts';
export {
  type LoadSelfieSegmentationOnnxOptions,
  loadSelfieSegmentationOnnx,
  type SelfieSegmentationModelInfo,
  type SelfieSegmentationModelName,
  selfieSegmentationModels,
} from './models/selfieSegmentationModels.ts';
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
  defaultPipelineParams,
  type EnumParamSpec,
  type NumberParamSpec,
  type ParamSpec,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  validatePipelineParams,
} from './PipelineParamsSchema.ts';
export {
  type DefaultPipelineRegistryOptions,
  defaultPipelineRegistry,
  PipelineRegistry,
} from './PipelineRegistry.ts';
export { type PixelateParams, pixelateFilter, pixelateParamsSchema } from './pixelateFilter.ts';
export { type SketchParams, sketchFilter, sketchParamsSchema } from './sketchFilter.ts';
export {
  type AppendTfliteGraphOptions,
  appendTfliteGraph,
  assertTfliteOpsSupported,
  supportedTfliteOps,
  type TfliteImageLayout,
  tfliteConverterVersion,
} from './tflite/appendTfliteGraph.ts';
export {
  type ConvertTfliteToOnnxOptions,
  convertTfliteToOnnx,
} from './tflite/convertTfliteToOnnx.ts';
export {
  TfliteConversionError,
  TfliteParseError,
  UnsupportedTfliteOpError,
} from './tflite/errors.ts';
export { decodeFloat16, float16ToFloat32 } from './tflite/float16ToFloat32.ts';
export { parseTfliteModel } from './tflite/parseTfliteModel.ts';
export {
  type TfliteModel,
  type TfliteOperator,
  type TfliteOptions,
  type TfliteQuantization,
  type TfliteTensor,
  type TfliteTensorType,
  tfliteBuiltinOperatorName,
} from './tflite/TfliteTypes.ts';
export { type ToonParams, toonFilter, toonParamsSchema } from './toonFilter.ts';
