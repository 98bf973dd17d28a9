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
export {
  buildLetterboxGraph,
  letterbox,
  letterboxGraphNames,
} from './graphs/buildLetterboxGraph.ts';
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
  graphConstants,
  type I420GraphInputs,
  i420PlanesFromYuv,
  lumaImage,
  yuvColumns,
  yuvFromRgbColumns,
} from './graphs/i420GraphIo.ts';
export { sobelMagnitude } from './graphs/sobelMagnitude.ts';
export {
  defaultInvertPipelineOptions,
  InvertPipeline,
  type InvertPipelineOptions,
} from './InvertPipeline.ts';
export { decodePpm, type RgbImage, rgbToI420Frame } from './images/rgbImage.ts';
export { LiveStage } from './LiveStage.ts';
export {
  InvalidPipelineArchiveError,
  InvalidPipelineManifestError,
} from './manifest/errors.ts';
export {
  type LoadedPipeline,
  type LoadPipelineOptions,
  loadPipelineDirectory,
  loadPipelineDirectorySync,
  manifestFileName,
  manifestPipelineDescriptor,
  resolveManifestModel,
  verifyPipelineModels,
} from './manifest/loadPipelineDirectory.ts';
export {
  isSafeRelativePath,
  type ManifestModel,
  type ManifestParam,
  type ManifestWorkflow,
  manifestParams,
  type PipelineManifest,
  parsePipelineManifest,
  pipelineNamePattern,
} from './manifest/PipelineManifest.ts';
export {
  installPipeline,
  loadInstalledPipelines,
  type PipelinePackage,
  type PipelineRegistryIndex,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
} from './manifest/pipelinePackages.ts';
export { type ArchiveFile, readTarGz, writeTarGz } from './manifest/tarball.ts';
export {
  type BlazeFaceDecodeOptions,
  blazeFaceInputSizePx,
  blazeFaceModel,
  blazeFaceNames,
  decodeBlazeFace,
  defaultBlazeFaceDecodeOptions,
  type FaceDetection,
  intersectionOverUnion,
  nonMaxSuppression,
} from './models/blazeFace.ts';
export { InvalidModelCacheKeyError, ModelHashMismatchError } from './models/errors.ts';
export { type LoadTfliteAsOnnxOptions, loadTfliteAsOnnx } from './models/loadTfliteAsOnnx.ts';
export { ModelCache, sha256Hex } from './models/ModelCache.ts';
export {
  type ModelFile,
  readVerifiedFile,
  readVerifiedModelFile,
  resolveModelFile,
} from './models/ModelFile.ts';
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
export type {
  Pipeline,
  PipelineCreateHooks,
  PipelineDescriptor,
  PipelineParams,
  PipelineState,
} from './Pipeline.ts';
export {
  type BooleanParamSpec,
  defaultPipelineParams,
  type EnumParamSpec,
  type NumberParamSpec,
  type ParamSpec,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  type StringParamSpec,
  validatePipelineParams,
} from './PipelineParamsSchema.ts';
export {
  type DefaultPipelineRegistryOptions,
  defaultPipelineRegistry,
  type PipelineDescription,
  type PipelineEntryState,
  PipelineRegistry,
  type PipelineRegistryOptions,
} from './PipelineRegistry.ts';
export { type PixelateParams, pixelateFilter, pixelateParamsSchema } from './pixelateFilter.ts';
export {
  loadShippedPipeline,
  type ShippedPipelineName,
  shippedPipelineNames,
  shippedPipelinesDir,
} from './shipped/shippedPipelines.ts';
// The TFLite converter: what loadTfliteAsOnnx runs, and the typed errors it throws.
export { convertTfliteToOnnx } from './tflite/convertTfliteToOnnx.ts';
export {
  TfliteConversionError,
  TfliteParseError,
  UnsupportedTfliteOpError,
} from './tflite/errors.ts';
export { parseTfliteModel } from './tflite/parseTfliteModel.ts';
export type { TfliteModel } from './tflite/TfliteTypes.ts';
export {
  builtInNodes,
  type DefaultNodeRegistryOptions,
  defaultNodeRegistry,
} from './workflow/defaultNodeRegistry.ts';
export {
  DuplicateNodeTypeError,
  InvalidWorkflowError,
  type WorkflowIssue,
  type WorkflowIssueCode,
  WorkflowRunError,
} from './workflow/errors.ts';
export { GraphImage, type SizeFn, type SizePx, sameSize } from './workflow/GraphImage.ts';
export { NodeRegistry } from './workflow/NodeRegistry.ts';
export { drawDetections } from './workflow/nodes/DrawDetections.ts';
export { loadImageNode } from './workflow/nodes/LoadImage.ts';
export { imageInput, maskInput } from './workflow/nodes/nodeInputs.ts';
export { onnxModelNode, type VerifiedModelRef } from './workflow/nodes/OnnxModel.ts';
export { hexColorToYuv } from './workflow/nodes/SolidColorImage.ts';
export {
  inputClassType,
  outputClassType,
  type ValidatedNode,
  type ValidatedWorkflow,
  validateWorkflow,
} from './workflow/validateWorkflow.ts';
export {
  applyWorkflowParams,
  defaultWorkflowPipelineOptions,
  type WorkflowParamBindings,
  WorkflowPipeline,
  type WorkflowPipelineDefinition,
  type WorkflowPipelineOptions,
  workflowFor,
} from './workflow/WorkflowPipeline.ts';
export {
  defaultWorkflowSessionOptions,
  WorkflowPlan,
  type WorkflowPlanOptions,
  type WorkflowRunStats,
} from './workflow/WorkflowPlan.ts';
export type {
  BooleanInputSpec,
  DataInputSpec,
  DataSocketType,
  DetectionBox,
  GraphValue,
  InputSpec,
  IoNodeDefinition,
  JsNodeDefinition,
  JsNodeInstance,
  Keypoint,
  LiteralInputSpec,
  NodeDefinition,
  NodeLiterals,
  NodeLoadContext,
  NumberInputSpec,
  OnnxBuildContext,
  OnnxNodeDefinition,
  OutputSpec,
  RuntimeValue,
  SocketType,
  StringInputSpec,
  Workflow,
  WorkflowLink,
  WorkflowNode,
} from './workflow/WorkflowTypes.ts';
