export { BaseError, type BaseErrorOptions } from './BaseError.ts';
export { createLogger, type Logger } from './createLogger.ts';
export {
  epochNowMs,
  type FrameTimingRecord,
  type HopTimings,
  hopNames,
  ntpToEpochMs,
} from './frameTiming.ts';
export { HttpError } from './HttpError.ts';
export {
  bearerToken,
  closeHttp,
  contentType,
  defaultMaxBodyBytes,
  listenHttp,
  parseJsonObject,
  readBody,
  readJsonObject,
  requestUrl,
  secretsEqual,
  sendError,
  sendJson,
} from './http.ts';
export {
  type BitrateHints,
  InvalidSdpError,
  maxSdpBytes,
  parseSdp,
  requireVp8Video,
  type SdpMediaSummary,
  type SdpSummary,
  setVideoBitrateHints,
  stripTransportCc,
  UnsupportedCodecError,
} from './sdp.ts';
export { type EventMap, TypedEmitter } from './TypedEmitter.ts';
