import type { Pipeline, PipelineParams } from '../pipeline/Pipeline.ts';
import type { WorkflowPipelineOptions } from '../workflow/WorkflowPipeline.ts';
import {
  type LoadPipelineOptions,
  loadPipelineDirectory,
  manifestPipelineDescriptor,
} from './loadPipelineDirectory.ts';

/**
 * A ready pipeline (loaded, warmed) from a pipeline package's directory, its own nodes included:
 * what a package's tests run, as an orchestrator would.
 */
export async function createPipelineFromDirectory(
  dir: string,
  params: PipelineParams = {},
  options: LoadPipelineOptions & { workflows?: Omit<WorkflowPipelineOptions, 'registry'> } = {},
): Promise<Pipeline> {
  const loaded = await loadPipelineDirectory(dir, options);
  return manifestPipelineDescriptor(loaded, options.workflows).create(params);
}
