/**
 * The root entry: errors, logging and typed events, nothing that opens a socket. HTTP helpers
 * (`@peerframe/core/http`), SDP parsing (`@peerframe/core/sdp`), video codec choice
 * (`@peerframe/core/videoCodec`), audio codec choice (`@peerframe/core/audioCodec`), RTP header extensions (`@peerframe/core/rtp`), frame timing
 * (`@peerframe/core/frameTiming`), werift helpers (`@peerframe/core/werift`), the libwebrtc loader
 * (`@peerframe/core/wrtc`) and SQLite (`@peerframe/core/sqlite`) are subpaths, loaded only by the
 * packages that use them.
 */
export {
  BaseError,
  type BaseErrorOptions,
  type ErrorCode,
  toErrorCode,
} from './BaseError.ts';
export { createLogger, type Logger } from './createLogger.ts';
export { HttpError } from './HttpError.ts';
export { type EventMap, TypedEmitter } from './TypedEmitter.ts';
