import { BaseError, type BaseErrorOptions } from '@peerframe/core';
import type { MediaKind } from '@peerframe/wire';

/** A frame a pipeline cannot take: wrong format, size or byte length. Names the field and limit. */
export class InvalidFrameError extends BaseError {
  override name = 'InvalidFrameError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('invalid_frame', shortMessage, options);
  }
}

/** `process()` or `update()` on a pipeline after `close()`. */
export class PipelineClosedError extends BaseError {
  override name = 'PipelineClosedError';
  readonly pipelineName: string;

  constructor(pipelineName: string) {
    super('pipeline_closed', `The ${pipelineName} pipeline is closed`);
    this.pipelineName = pipelineName;
  }
}

/** A registry was asked for a pipeline it does not know. The message lists the known ones. */
export class UnknownPipelineError extends BaseError {
  override name = 'UnknownPipelineError';
  readonly pipelineName: string;
  readonly knownNames: readonly string[];

  constructor(pipelineName: string, knownNames: readonly string[]) {
    const known = knownNames.length > 0 ? knownNames.join(', ') : 'none';
    super('unknown_pipeline', `Unknown pipeline "${pipelineName}"; known pipelines: ${known}`);
    this.pipelineName = pipelineName;
    this.knownNames = [...knownNames];
  }
}

/** A second descriptor was registered under a name already taken. */
export class DuplicatePipelineError extends BaseError {
  override name = 'DuplicatePipelineError';
  readonly pipelineName: string;

  constructor(pipelineName: string) {
    super('duplicate_pipeline', `A pipeline named "${pipelineName}" is already registered`);
    this.pipelineName = pipelineName;
  }
}

/** A pipeline was asked for media it does not process (video from an audio-only one, or the reverse). */
export class PipelineMediaError extends BaseError {
  override name = 'PipelineMediaError';
  readonly pipelineName: string;
  readonly media: readonly MediaKind[];

  constructor(pipelineName: string, asked: MediaKind, media: readonly MediaKind[]) {
    super(
      'pipeline_media_unsupported',
      `The ${pipelineName} pipeline processes ${media.join(' and ')}, not ${asked}`,
    );
    this.pipelineName = pipelineName;
    this.media = [...media];
  }
}
