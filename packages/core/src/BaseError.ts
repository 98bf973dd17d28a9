export type BaseErrorOptions = {
  /** Extra detail for logs and API bodies (what was received, which limit). */
  details?: string | undefined;
  /** The error that caused this one. */
  cause?: unknown;
  /** True when the same request may succeed if tried again (network, capacity). */
  retryable?: boolean | undefined;
};

/**
 * A stable, machine-readable error code in lower snake case (`ticket_rejected`), as the HTTP
 * APIs answer them; the type refuses a literal with upper-case letters.
 */
export type ErrorCode = Lowercase<string>;

/** An error code read from elsewhere (another node's answer): lower-cased, as codes are. */
export function toErrorCode(text: string): ErrorCode {
  return text.toLowerCase() as ErrorCode;
}

/**
 * The root of every PeerFrame error: a stable machine-readable `code`, a one-line
 * `shortMessage` for people, optional `details`, and whether a retry can help.
 */
export class BaseError extends Error {
  override name = 'BaseError';
  readonly code: ErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, shortMessage: string, options: BaseErrorOptions = {}) {
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
