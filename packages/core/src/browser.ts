/**
 * The browser-safe entry (`@peerframe/core/browser`): no Node.js modules, no logger. The root
 * entry (`@peerframe/core`) is for Node.js.
 */
export {
  BaseError,
  type BaseErrorOptions,
  type ErrorCode,
  toErrorCode,
} from './BaseError.ts';
export {
  epochNowMs,
  type FrameTimingRecord,
  type HopTimings,
  hopNames,
  ntpToEpochMs,
} from './frameTiming.ts';
export {
  PortableTypedEmitter,
  PortableTypedEmitter as TypedEmitter,
} from './PortableTypedEmitter.ts';
export { type VideoCodecName, videoCodecNames } from './videoCodecNames.ts';
export { waitForIceGathering } from './waitForIceGathering.ts';
