import { HttpError } from '@peerframe/core';
import {
  defaultPipelineParams,
  InvalidPipelineParamsError,
  type ParamSpec,
  type PipelineParamsSchema,
  parsePipelineParamsSchema,
  validatePipelineParams,
} from '@peerframe/pipelines/params';
import type { OrchestratorInfoResponse } from './OrchestratorClient.ts';

/**
 * Checks a stream's pipeline and params against what one orchestrator's `/info` says it takes,
 * with the orchestrator's own rules and errors (400 `unknown_pipeline`, 400
 * `invalid_pipeline_params` naming the param and its limit), so a stream it would refuse is
 * refused before anything is paid to it. A pipeline it describes no schema for is left to it.
 *
 * One rule is left to the orchestrator: a string param's `pattern`. It is a regular expression
 * the orchestrator wrote, and running it on the publisher's string would let a hostile
 * orchestrator stall the gateway (catastrophic backtracking); a value only the pattern refuses is
 * refused by the orchestrator, after the upfront payment.
 *
 * Throws 502 `bad_orchestrator_response` when the orchestrator's schema is not one (the stream
 * then goes to another orchestrator).
 */
export function checkStreamParams(
  url: string,
  info: OrchestratorInfoResponse,
  pipeline: string,
  params: Record<string, unknown>,
): void {
  const offer = info.pipelines.find((p) => p.name === pipeline);
  if (!offer) {
    throw new HttpError(
      400,
      'unknown_pipeline',
      `Unknown pipeline "${pipeline}"; known pipelines: ${info.pipelines.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  if (offer.paramsSchema === undefined) return;
  let schema: PipelineParamsSchema;
  try {
    schema = parsePipelineParamsSchema(offer.paramsSchema);
  } catch (error) {
    throw new HttpError(
      502,
      'bad_orchestrator_response',
      `Orchestrator ${url} describes the params of "${pipeline}" with no valid schema`,
      { cause: error },
    );
  }
  try {
    // An empty schema refuses every param, as the orchestrator does, with its error.
    validatePipelineParams(
      pipeline,
      withoutPatterns(schema),
      params,
      defaultPipelineParams(schema),
    );
  } catch (error) {
    if (!(error instanceof InvalidPipelineParamsError)) throw error;
    throw new HttpError(400, error.code, error.shortMessage, { details: error.details });
  }
}

function withoutPatterns(schema: PipelineParamsSchema): PipelineParamsSchema {
  return Object.fromEntries(
    Object.entries(schema).map(([name, spec]): [string, ParamSpec] => {
      if (spec.type !== 'string' || spec.pattern === undefined) return [name, spec];
      const { pattern: _orchestratorChecksIt, ...rest } = spec;
      return [name, rest];
    }),
  );
}
