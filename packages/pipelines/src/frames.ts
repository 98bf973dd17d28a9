/** `@peerframe/pipelines/frames`: Frames: the I420 frame type, its checks, and RGB/PPM images. */
export {
  type AssertI420FrameOptions,
  assertI420Frame,
  maxFrameSidePx,
} from './frames/assertI420Frame.ts';
export { decodePpm, type RgbImage, rgbToI420Frame } from './frames/rgbImage.ts';
