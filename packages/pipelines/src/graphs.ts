/** `@peerframe/pipelines/graphs`: ONNX graph pieces for I420 frames: BT.601 maths, plane IO, filters, blur, segmentation, letterbox. */
export {
  appendColorGrade,
  colorGradeCurveSize,
  colorGradeGraphNames,
} from './graphs/appendColorGrade.ts';
export { appendPixelate } from './graphs/appendPixelate.ts';
export { appendSegmentation } from './graphs/appendSegmentation.ts';
export { appendSketch, sketchGraphNames } from './graphs/appendSketch.ts';
export {
  appendToon,
  toonEdgeRamp,
  toonEdgeThreshold,
  toonGraphNames,
} from './graphs/appendToon.ts';
export { type Affine3, applyAffine3, composeAffine3, rgbToYuv, yuvToRgb } from './graphs/bt601.ts';
export {
  buildLetterboxGraph,
  letterbox,
  letterboxGraphNames,
} from './graphs/buildLetterboxGraph.ts';
export {
  type GaussianBlurInputs,
  gaussianBlurFeeds,
  gaussianBlurImage,
} from './graphs/gaussianBlurImage.ts';
export {
  type GaussianBlurPlan,
  type GaussianBlurPlanOptions,
  gaussianBlurPlan,
} from './graphs/gaussianBlurPlan.ts';
export {
  affineColumns,
  chromaImage,
  graphConstants,
  type I420GraphInputs,
  i420PlanesFromYuv,
  lumaImage,
  yuvColumns,
  yuvFromRgbColumns,
} from './graphs/i420GraphIo.ts';
export { sobelMagnitude } from './graphs/sobelMagnitude.ts';
