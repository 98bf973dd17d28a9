/** Node-only entry (@peerframe/client-sdk/node): publishing through libwebrtc (@roamhq/wrtc). */

export { createSession } from './createNodeSession.ts';
export * from './index.ts';
export {
  NodeWhepViewer,
  type NodeWhepViewerEvents,
  type NodeWhepViewerOptions,
} from './NodeWhepViewer.ts';
export {
  NodeWhipPublisher,
  type NodeWhipPublisherEvents,
  type NodeWhipPublisherOptions,
} from './NodeWhipPublisher.ts';
export { postOffer, type ReceivedFrame, WhipError } from './nodePeer.ts';
export {
  contentToleranceMad,
  type FrameProbeOptions,
  type FrameProbePublisher,
  type FrameProbeResult,
  longestGapMs,
  runFrameProbe,
} from './runFrameProbe.ts';
