import { HttpError } from '@peerframe/core';
import {
  defaultPipelineParams,
  InvalidPipelineParamsError,
  type MediaKind,
  type OrchestratorInfo,
  type ParamSpec,
  type PipelineParams,
  type PipelineParamsSchema,
  pipelineMedia,
  validatePipelineParams,
} from '@peerframe/wire';

/**
 * Checks a stream's pipeline and params against what one orchestrator's `/info` says it takes,
 * with the orchestrator's own rules and errors (400 `unknown_pipeline`, 400
 * `pipeline_media_unsupported` for a pipeline that does not process what the stream is processed
 * on — `streamMedia`: video, or audio for a stream without video — 400
 * `invalid_pipeline_params` naming the param and its limit), so a stream it would refuse is
 * refused before anything is paid to it. The schema was checked to be one when `/info` was read
 * (`parseOrchestratorInfo`: a malformed one is the orchestrator's 502).
 *
 * One rule is left to the orchestrator: a string param's `pattern`. It is a regular expression
 * the orchestrator wrote, and running it on the publisher's string would let a hostile
 * orchestrator stall the gateway (catastrophic backtracking); a value only the pattern refuses is
 * refused by the orchestrator, after the upfront payment.
 */
export function checkStreamParams(
  info: OrchestratorInfo,
  pipeline: string,
  params: PipelineParams,
  streamMedia: MediaKind = 'video',
): readonly MediaKind[] {
  const offer = info.pipelines.find((p) => p.name === pipeline);
  if (!offer) {
    throw new HttpError(
      400,
      'unknown_pipeline',
      `Unknown pipeline "${pipeline}"; known pipelines: ${info.pipelines.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  const media = pipelineMedia(offer);
  if (!media.includes(streamMedia)) {
    throw new HttpError(
      400,
      'pipeline_media_unsupported',
      streamMedia === 'video'
        ? `The ${pipeline} pipeline processes ${media.join(' and ')}, not video: publish its audio alone (no video track), or pick a pipeline that processes video`
        : `The ${pipeline} pipeline processes ${media.join(' and ')}, not audio, and the offer has audio only (no m=video): add a video track, or pick a pipeline that processes audio`,
    );
  }
  const schema = offer.paramsSchema;
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
  return media;
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
