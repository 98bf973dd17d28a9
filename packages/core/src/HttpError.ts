import { BaseError, type BaseErrorOptions, type ErrorCode } from './BaseError.ts';

/** An error that maps to an HTTP status (4xx for the caller's mistakes, 5xx for ours). */
export class HttpError extends BaseError {
  override name = 'HttpError';
  readonly status: number;

  constructor(
    status: number,
    code: ErrorCode,
    shortMessage: string,
    options: BaseErrorOptions = {},
  ) {
    super(code, shortMessage, { retryable: status >= 500 || status === 429, ...options });
    this.status = status;
  }
}
