import { BaseError, toErrorCode } from '@peerframe/core';
import { InvalidSdpError } from '@peerframe/core/sdp';

/** An error crossing threads: its code (`invalid_sdp`, …) and message. */
export type ThreadError = { name: string; code: string; message: string; reason?: string };

/** An error as it crosses to another thread; `fallbackCode` names one that is no `BaseError`. */
export function toThreadError(error: unknown, fallbackCode: string): ThreadError {
  if (error instanceof BaseError) {
    return {
      name: error.name,
      code: error.code,
      message: error.shortMessage,
      ...(error.code === 'invalid_sdp'
        ? { reason: error.shortMessage.replace(/^Invalid SDP: /, '') }
        : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: fallbackCode, message };
}

/** The error another thread reported, as a `BaseError` with its code and message. */
export function fromThreadError(error: ThreadError): BaseError {
  if (error.code === 'invalid_sdp') return new InvalidSdpError(error.reason ?? error.message);
  return new BaseError(toErrorCode(error.code), error.message);
}
