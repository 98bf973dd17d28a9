/**
 * libwebrtc's RTP header extensions PeerFrame writes and reads: playout-delay (render each frame
 * once decoded) and video-timing (when a frame was encoded, paced and passed each SFU). Imported
 * as `@peerframe/core/rtp`.
 */
export { playoutDelayUri, zeroPlayoutDelay } from './playoutDelay.ts';
export {
  parseVideoTiming,
  serializeVideoTiming,
  type VideoTiming,
  videoTimingUri,
} from './videoTiming.ts';
