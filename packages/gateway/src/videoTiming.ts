/**
 * The video-timing header extension lives in `@peerframe/core/rtp` (the orchestrator writes it
 * too).
 */
export {
  parseVideoTiming,
  serializeVideoTiming,
  type VideoTiming,
  videoTimingUri,
} from '@peerframe/core/rtp';
