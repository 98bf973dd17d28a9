import { BaseError, type BaseErrorOptions } from '@peerframe/core';

/** A model file's sha256 is not the one expected: refused before use. */
export class ModelHashMismatchError extends BaseError {
  override name = 'ModelHashMismatchError';
  readonly path: string;
  readonly expectedSha256: string;
  readonly actualSha256: string;

  constructor(path: string, expectedSha256: string, actualSha256: string) {
    super('model_hash_mismatch', `Model file ${path} has an unexpected sha256`, {
      details: `expected ${expectedSha256}, got ${actualSha256}`,
    });
    this.path = path;
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }
}

/** A cache key that is not a plain file name. */
export class InvalidModelCacheKeyError extends BaseError {
  override name = 'InvalidModelCacheKeyError';

  constructor(key: string) {
    super('invalid_model_cache_key', `Invalid model cache key ${JSON.stringify(key)}`, {
      details: 'a key is 1..200 characters of A-Z, a-z, 0-9, ".", "_" and "-"',
    });
  }
}

/** A model could not be downloaded (network, HTTP status, size limit): nothing was kept. */
export class ModelDownloadError extends BaseError {
  override name = 'ModelDownloadError';
  readonly url: string;

  constructor(url: string, reason: string, options: BaseErrorOptions = {}) {
    super('model_download_failed', `Could not download the model ${url}`, {
      ...options,
      details: reason,
      retryable: true,
    });
    this.url = url;
  }
}
