/** Node-only entry (@peerframe/client-sdk/node): publishing through libwebrtc (@roamhq/wrtc). */
export * from './index.ts';
export {
  NodeWhipPublisher,
  type NodeWhipPublisherEvents,
  type NodeWhipPublisherOptions,
  type ReceivedFrame,
  WhipError,
} from './NodeWhipPublisher.ts';
export {
  contentToleranceMad,
  type FrameProbeOptions,
  type FrameProbeResult,
  longestGapMs,
  runFrameProbe,
} from './runFrameProbe.ts';
