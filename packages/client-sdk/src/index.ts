/** The browser-safe entry: nothing here needs Node.js (Node adds `@peerframe/client-sdk/node`). */

// The wire types an SDK user meets in events and replies (`@peerframe/wire` has every one).
export type {
  HopTimings,
  ParamSpec,
  PipelineOffer,
  PipelineParamsSchema,
  StreamState,
  StreamStatsEvent,
} from '@peerframe/wire';
export {
  ControlClient,
  type ControlClientEvents,
  type ControlClientOptions,
  ControlError,
  type ServingOrchestrator,
  type SessionPayment,
} from './ControlClient.ts';
export {
  type DecodedMarker,
  frameMarkerBits,
  markerBandHeightPx,
  markerCells,
  readFrameMarker,
  writeFrameMarker,
} from './FrameMarker.ts';
export {
  type DecoderSample,
  gatewayToPublisherMs,
  readDecoderSample,
} from './gatewayToPublisherHop.ts';
export { canProbeLatency, LatencyProbe, type LatencyProbeOptions } from './LatencyProbe.ts';
export { renderAtOnce } from './renderAtOnce.ts';
export { createSession, Session } from './Session.ts';
export { SessionAudio, type SessionAudioOption } from './SessionAudio.ts';
export {
  defaultSessionOptions,
  SessionError,
  type SessionErrorEvent,
  type SessionEvents,
  type SessionOptions,
  type SessionState,
  type SessionStats,
} from './SessionTypes.ts';
export { type I420Buffer, lumaMeanAbsDiff, SyntheticVideo } from './SyntheticVideo.ts';
export {
  createTestTone,
  defaultTestToneOptions,
  type TestTone,
  type TestToneOptions,
} from './TestTone.ts';
