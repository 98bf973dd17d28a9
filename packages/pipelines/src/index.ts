/**
 * `@peerframe/pipelines`: what nodes, tools and tests outside this package use. Everything else
 * sits behind a subpath, one per room of `src/`: `/frames`, `/audio`, `/pipeline`, `/workflow`,
 * `/nodes`, `/graphs`, `/onnx`, `/tflite`, `/models`, `/manifest`.
 */

// Frames and the pipeline contract (the orchestrator's media engine).
export {
  type AudioFrame,
  type AudioFrameF32,
  type AudioFrameS16,
  type AudioSampleFormat,
  audioFrameDurationUs,
  audioSamplesPerChannel,
  maxAudioChannels,
  maxAudioFrameMs,
  opusSampleRateHz,
  samplesPer10Ms,
} from './frames/AudioFrame.ts';
export { assertAudioFrame } from './frames/assertAudioFrame.ts';
export { audioFrameInFormat, audioFrameToF32 } from './frames/convertAudioFrame.ts';
export { type Frame, type FrameFormat, i420ByteLength, i420Planes } from './frames/Frame.ts';
export { solidI420Frame } from './frames/solidI420Frame.ts';
// Pipeline packages (`peerframe pipeline …`), installed pipelines and the shipped pipelines.
export { createPipelineFromDirectory } from './manifest/createPipelineFromDirectory.ts';
export { InvalidPipelineManifestError } from './manifest/errors.ts';
export {
  InstalledPipelines,
  type InstalledPipelinesOptions,
} from './manifest/InstalledPipelines.ts';
export {
  type LoadedPipeline,
  loadPipelineDirectory,
  manifestPipelineDescriptor,
} from './manifest/loadPipelineDirectory.ts';
export {
  type PipelineNodePolicy,
  parsePipelineNodePolicy,
} from './manifest/PipelineNodePolicy.ts';
export {
  installPipeline,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
} from './manifest/pipelinePackages.ts';
export {
  loadShippedPipeline,
  pipelineTemplateDir,
  type ShippedPipelineName,
  shippedAudioPipelineNames,
  shippedPipelineNames,
  shippedPipelinesDir,
} from './manifest/shippedPipelines.ts';
// Models, sessions and conversion (the bench, the fuzz suite).
export { blazeFaceModel } from './models/blazeFace.ts';
export { ModelHashMismatchError } from './models/errors.ts';
export { readVerifiedModelFile } from './models/ModelFile.ts';
export { ModelStore } from './models/ModelStore.ts';
export { loadSelfieSegmentationOnnx } from './models/selfieSegmentationModels.ts';
export {
  type ExecutionProviderChoice,
  executionProviderChoices,
  executionProviderUnavailableReason,
  parseExecutionProviderChoice,
  selectExecutionProvider,
} from './onnx/executionProviders.ts';
export { type CudaProviderInstall, installCudaProvider } from './onnx/installCudaProvider.ts';
export { OnnxSession } from './onnx/OnnxSession.ts';
export {
  type AudioPipeline,
  type MediaKind,
  pipelineMedia,
} from './pipeline/AudioPipeline.ts';
export {
  DuplicatePipelineError,
  InvalidFrameError,
  PipelineClosedError,
  PipelineMediaError,
  UnknownPipelineError,
} from './pipeline/errors.ts';
export type {
  Pipeline,
  PipelineCreateHooks,
  PipelineDescriptor,
  PipelineModelInfo,
  PipelineParams,
  PipelineState,
} from './pipeline/Pipeline.ts';
export {
  type DefaultPipelineRegistryOptions,
  defaultPipelineRegistry,
  type PipelineDescription,
  type PipelineEntryState,
  PipelineRegistry,
  type PipelineRegistryOptions,
  type RegisterOptions,
} from './pipeline/PipelineRegistry.ts';
export { convertTfliteToOnnx } from './tflite/convertTfliteToOnnx.ts';
export { parseTfliteModel } from './tflite/parseTfliteModel.ts';
export type { TfliteModel } from './tflite/TfliteTypes.ts';
// Workflows (the fuzz suite, the bench).
export { defaultNodeRegistry } from './workflow/defaultNodeRegistry.ts';
export { InvalidWorkflowError } from './workflow/errors.ts';
export { validateWorkflow } from './workflow/validateWorkflow.ts';
export { WorkflowPlan, type WorkflowRunStats } from './workflow/WorkflowPlan.ts';
export type { Workflow } from './workflow/WorkflowTypes.ts';
