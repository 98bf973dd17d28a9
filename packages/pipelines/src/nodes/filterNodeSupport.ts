import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
} from '@peerframe/wire';
import type * as ort from 'onnxruntime-node';
import type { LiteralInputSpec, OnnxBuildContext } from '../workflow/WorkflowTypes.ts';

/**
 * A procedural filter's params as a node sees them: the schema its literal inputs follow, and the
 * tensors those literals become (fed to the graph, so they change live without a rebuild).
 */
export type FilterDefinition<S extends PipelineParamsSchema> = {
  readonly name: string;
  readonly description: string;
  readonly paramsSchema: S;
  /** Graph inputs computed from the params, by name. */
  paramFeeds(params: PipelineParamsOf<S>): Readonly<Record<string, ort.Tensor>>;
};

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
      if (spec.type === 'workflow') {
        throw new TypeError(`A filter param cannot be a workflow (${name})`);
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
