import { BaseError } from '@peerframe/core';

/** An inference thread failed (it threw, or exited before it was closed). */
export class InferenceThreadError extends BaseError {
  override name = 'InferenceThreadError';
}
