/** `@peerframe/pipelines/pipeline`: The pipeline contract: `Pipeline`, params schemas, the registry, live updates, errors. */
export { LiveStage } from './pipeline/LiveStage.ts';
export {
  type BooleanParamSpec,
  defaultPipelineParams,
  type EnumParamSpec,
  type NumberParamSpec,
  type PipelineParamsOf,
  type StringParamSpec,
  validatePipelineParams,
} from './pipeline/PipelineParamsSchema.ts';
