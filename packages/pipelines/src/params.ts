/**
 * Params schemas and their validation without the pipelines themselves (no ONNX Runtime): for
 * nodes that check params before they reach an orchestrator (`@peerframe/pipelines/params`).
 */
export { checkNoParams } from './checkNoParams.ts';
export { InvalidPipelineParamsError } from './errors.ts';
export type { PipelineParams } from './Pipeline.ts';
export * from './PipelineParamsSchema.ts';
