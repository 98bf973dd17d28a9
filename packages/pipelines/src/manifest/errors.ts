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
