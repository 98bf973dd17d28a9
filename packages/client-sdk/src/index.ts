export {
  ControlClient,
  type ControlClientEvents,
  type ControlClientOptions,
  ControlError,
  type StreamState,
  type StreamStats,
} from './ControlClient.ts';
export {
  type DecodedMarker,
  markerBandHeightPx,
  markerCells,
  readFrameMarker,
  writeFrameMarker,
} from './FrameMarker.ts';
export { type I420Buffer, lumaMeanAbsDiff, SyntheticVideo } from './SyntheticVideo.ts';
