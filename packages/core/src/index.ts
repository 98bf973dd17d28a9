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
  closeHttp,
  contentType,
  defaultMaxBodyBytes,
  listenHttp,
  parseJsonObject,
  readBody,
  requestUrl,
  sendError,
  sendJson,
} from './http.ts';
export { playoutDelayUri, zeroPlayoutDelay } from './playoutDelay.ts';
export {
  type BitrateHints,
  InvalidSdpError,
  maxSdpBytes,
  parseSdp,
  readBitrateHints,
  requireVp8Video,
  type SdpMediaSummary,
  type SdpSummary,
  setVideoBitrateHints,
  stripTransportCc,
  UnsupportedCodecError,
} from './sdp.ts';
export { type EventMap, TypedEmitter } from './TypedEmitter.ts';
export {
  describeVideoCodecs,
  fmtpParameters,
  h264Rank,
  restrictVideoCodec,
  selectVideoCodec,
  type VideoCodecChoice,
  type VideoCodecName,
  videoCodecNames,
  videoSection,
} from './videoCodec.ts';
export {
  parseVideoTiming,
  serializeVideoTiming,
  type VideoTiming,
  videoTimingUri,
} from './videoTiming.ts';
