/** `@peerframe/pipelines/frames`: Frames: the I420 frame type, its checks, and RGB/PPM images; audio frames and their checks. */

export {
  assertAudioFrame,
  maxAudioSampleRateHz,
  minAudioSampleRateHz,
} from './frames/assertAudioFrame.ts';
export {
  type AssertI420FrameOptions,
  assertI420Frame,
  maxFrameSidePx,
} from './frames/assertI420Frame.ts';
export { audioFrameInFormat, audioFrameToF32 } from './frames/convertAudioFrame.ts';
export { giveFrameBuffer, isFrameBufferGiven } from './frames/givenFrameBuffers.ts';
export { decodePpm, type RgbImage, rgbToI420Frame } from './frames/rgbImage.ts';
