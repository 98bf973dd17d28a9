export {
  type DecodedMarker,
  markerBandHeightPx,
  markerCells,
  readFrameMarker,
  writeFrameMarker,
} from './FrameMarker.ts';
export { type I420Buffer, lumaMeanAbsDiff, SyntheticVideo } from './SyntheticVideo.ts';
