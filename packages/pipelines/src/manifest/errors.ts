import { BaseError, type BaseErrorOptions } from '@peerframe/core';

/** A `pipeline.json` that cannot be used: `issues` lists every problem, each naming its field. */
export class InvalidPipelineManifestError extends BaseError {
  override name = 'InvalidPipelineManifestError';
  readonly issues: readonly string[];

  constructor(where: string, issues: readonly string[], options: BaseErrorOptions = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('invalid_pipeline_manifest', `Invalid pipeline manifest ${where}: ${count}`, {
      ...options,
      details: issues.join('; '),
    });
    this.issues = [...issues];
  }
}

/** A pipeline archive that cannot be read (not a gzip'd tar, unsafe paths, no manifest). */
export class InvalidPipelineArchiveError extends BaseError {
  override name = 'InvalidPipelineArchiveError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('invalid_pipeline_archive', shortMessage, options);
  }
}

/**
 * A file of a pipeline directory is a symbolic link (or lies under one). Pipelines are packed and
 * installed from their own files only: a link could carry any file of the machine (a key, a
 * password store) into a published archive.
 */
export class PipelineFileIsLinkError extends BaseError {
  override name = 'PipelineFileIsLinkError';
  readonly path: string;

  constructor(path: string, options: BaseErrorOptions = {}) {
    super('pipeline_file_is_link', `${path} is a symbolic link`, {
      details: 'pipelines are packed and installed from their own files: copy the file in',
      ...options,
    });
    this.path = path;
  }
}

/** A pipeline asked for as `name[@version]` that is not a valid name or version. */
export class InvalidPipelineSpecError extends BaseError {
  override name = 'InvalidPipelineSpecError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('invalid_pipeline_spec', shortMessage, options);
  }
}

/** A registry has no such pipeline, or not that version of it. */
export class PipelineNotPublishedError extends BaseError {
  override name = 'PipelineNotPublishedError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('pipeline_not_published', shortMessage, options);
  }
}
