import { BaseError } from '@peerframe/core';

/** A decoder refused a frame (corrupt or incomplete data): the stream needs a keyframe. */
export class DecodeError extends BaseError {
  override name = 'DecodeError';
}

/** An encoder failed on a picture. */
export class EncodeError extends BaseError {
  override name = 'EncodeError';
}

/** A codec could not be opened (missing from the build, no device for a hardware one). */
export class CodecUnavailableError extends BaseError {
  override name = 'CodecUnavailableError';
}
