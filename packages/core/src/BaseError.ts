export type BaseErrorOptions = {
  /** Extra detail for logs and API bodies (what was received, which limit). */
  details?: string | undefined;
  /** The error that caused this one. */
  cause?: unknown;
  /** True when the same request may succeed if tried again (network, capacity). */
  retryable?: boolean | undefined;
};

/**
 * The root of every PeerFrame error: a stable machine-readable `code`, a one-line
 * `shortMessage` for people, optional `details`, and whether a retry can help.
 */
export class BaseError extends Error {
  override name = 'BaseError';
  readonly code: string;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, shortMessage: string, options: BaseErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }

  /** The `{ code, message }` body that HTTP APIs answer with. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.shortMessage };
  }
}
