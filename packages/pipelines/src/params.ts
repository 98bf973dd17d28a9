/**
 * Params schemas and their validation without the pipelines themselves (no ONNX Runtime): for
 * nodes that check params before they reach an orchestrator (`@peerframe/pipelines/params`).
 */
export { InvalidPipelineParamsError } from './pipeline/errors.ts';
export type { PipelineParams } from './pipeline/Pipeline.ts';
export * from './pipeline/PipelineParamsSchema.ts';
