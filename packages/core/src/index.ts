export {
  type AudioCodecChoice,
  assertVideoSection,
  opusClockRateHz,
  receivedAudioSection,
  selectAudioCodec,
  sentAudioSection,
  UnsupportedAudioCodecError,
} from './audioCodec.ts';
export {
  BaseError,
  type BaseErrorOptions,
  type ErrorCode,
  toErrorCode,
} from './BaseError.ts';
export { createLogger, type Logger } from './createLogger.ts';
export { epochMsToNtp } from './epochMsToNtp.ts';
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
export { openBundleOnlySections } from './openBundleOnlySections.ts';
export { playoutDelayUri, zeroPlayoutDelay } from './playoutDelay.ts';
export { restrictCodec } from './restrictCodec.ts';
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
  videoSection,
} from './videoCodec.ts';
export { type VideoCodecName, videoCodecNames } from './videoCodecNames.ts';
export {
  parseVideoTiming,
  serializeVideoTiming,
  type VideoTiming,
  videoTimingUri,
} from './videoTiming.ts';
