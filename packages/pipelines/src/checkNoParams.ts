import { InvalidPipelineParamsError } from './errors.ts';
import type { PipelineParams } from './Pipeline.ts';

/**
 * For pipelines that take no params: `{}` passes, any key throws `InvalidPipelineParamsError`
 * naming it (a typo never goes unnoticed). Used by both `create` and `update`.
 */
export function checkNoParams(pipelineName: string, params: PipelineParams): void {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new InvalidPipelineParamsError(`The ${pipelineName} pipeline params must be an object`, {
      details: `got ${Array.isArray(params) ? 'an array' : String(params)}`,
    });
  }
  const keys = Object.keys(params);
  if (keys.length > 0) {
    throw new InvalidPipelineParamsError(
      `The ${pipelineName} pipeline takes no params; got ${keys.map((key) => `"${key}"`).join(', ')}`,
    );
  }
}
