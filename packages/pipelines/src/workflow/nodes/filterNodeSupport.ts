import type { FilterDefinition } from '../../FilterPipeline.ts';
import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
} from '../../PipelineParamsSchema.ts';
import type { LiteralInputSpec, OnnxBuildContext } from '../WorkflowTypes.ts';

/** Node inputs for a pipeline params schema: numbers → FLOAT / INT, enums → STRING. */
export function literalInputsOf(schema: PipelineParamsSchema): Record<string, LiteralInputSpec> {
  return Object.fromEntries(
    Object.entries(schema).map(([name, spec]): [string, LiteralInputSpec] => {
      if (spec.type === 'enum') {
        return [
          name,
          {
            type: 'STRING',
            default: spec.default,
            values: spec.values,
            description: spec.description,
          },
        ];
      }
      if (spec.type === 'string') {
        return [name, { type: 'STRING', default: spec.default, description: spec.description }];
      }
      if (spec.type === 'boolean') {
        return [name, { type: 'BOOLEAN', default: spec.default, description: spec.description }];
      }
      return [
        name,
        {
          type: spec.type === 'integer' ? 'INT' : 'FLOAT',
          default: spec.default,
          min: spec.min,
          max: spec.max,
          ...(spec.multipleOf === undefined ? {} : { multipleOf: spec.multipleOf }),
          description: spec.description,
        },
      ];
    }),
  );
}

/**
 * Declares the param tensors of a filter (`definition.paramFeeds`) as graph inputs of the node,
 * recomputed from its literals on every live update. Returns the graph names by the filter's
 * own input names.
 */
export function filterFeeds<S extends PipelineParamsSchema>(
  context: OnnxBuildContext,
  definition: FilterDefinition<S>,
): Record<string, string> {
  const sample = definition.paramFeeds(defaultPipelineParams(definition.paramsSchema));
  return Object.fromEntries(
    Object.entries(sample).map(([name, tensor]) => [
      name,
      context.feed(name, 'float32', tensor.dims, (literals) => {
        const feeds = definition.paramFeeds(literals as PipelineParamsOf<S>);
        return feeds[name] as (typeof feeds)[string];
      }),
    ]),
  );
}
