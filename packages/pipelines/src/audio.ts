/**
 * `@peerframe/pipelines/audio`: The audio engine: audio workflows (`AudioWorkflowPlan`,
 * `AudioWorkflowPipeline`), audio node types, RNNoise, the phase-vocoder pitch shifter, and
 * measures of audio (level, SNR, delay, fundamental frequency).
 */

export type {
  AudioNodeContext,
  AudioNodeDefinition,
  AudioNodeInstance,
} from './audio/AudioNodeTypes.ts';
export {
  AudioWorkflowPipeline,
  type AudioWorkflowPipelineOptions,
  defaultAudioWorkflowPipelineOptions,
} from './audio/AudioWorkflowPipeline.ts';
export { AudioWorkflowPlan, type AudioWorkflowPlanOptions } from './audio/AudioWorkflowPlan.ts';
export {
  alignmentLagSamples,
  type EstimateF0Options,
  estimateF0Hz,
  medianF0Hz,
  rms,
  rmsDbfs,
  snrDb,
  soundingSpanS,
} from './audio/audioMeasures.ts';
export { Fft } from './audio/Fft.ts';
export {
  maxPitchRatio,
  minPitchRatio,
  PhaseVocoderPitchShifter,
  pitchShifterFftSize,
} from './audio/PhaseVocoderPitchShifter.ts';
export {
  RnnoiseDenoiser,
  rnnoiseFrameSamples,
  rnnoiseLatencySamples,
  rnnoiseSampleRateHz,
  rnnoiseWasmFile,
} from './audio/RnnoiseDenoiser.ts';
export { audioGainNode, dbToGain } from './nodes/AudioGain.ts';
export { loadAudioTensorNode } from './nodes/LoadAudioTensor.ts';
export { noiseSuppressionNode } from './nodes/NoiseSuppression.ts';
export { pitchShifterNode, semitonesToRatio } from './nodes/PitchShifter.ts';
export { saveAudioTensorNode } from './nodes/SaveAudioTensor.ts';
export {
  type PipelineWorkflowParts,
  validatePipelineWorkflow,
} from './workflow/validatePipelineWorkflow.ts';
export {
  audioWorkflowIo,
  videoWorkflowIo,
  type WorkflowIo,
} from './workflow/validateWorkflow.ts';
