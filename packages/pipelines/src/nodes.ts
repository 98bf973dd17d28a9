/** `@peerframe/pipelines/nodes`: The built-in workflow nodes (ComfyUI class types) and what they are made of. */
export { drawDetections } from './nodes/DrawDetections.ts';
export { type FilterDefinition, filterFeeds, literalInputsOf } from './nodes/filterNodeSupport.ts';
export {
  type ColorGradeParams,
  type ColorGradeTransform,
  colorGradeFilter,
  colorGradeParamsSchema,
  colorGradeTransform,
} from './nodes/filters/colorGradeFilter.ts';
export {
  type PixelateParams,
  pixelateFilter,
  pixelateParamsSchema,
} from './nodes/filters/pixelateFilter.ts';
export {
  type SketchParams,
  sketchFilter,
  sketchParamsSchema,
} from './nodes/filters/sketchFilter.ts';
export { type ToonParams, toonFilter, toonParamsSchema } from './nodes/filters/toonFilter.ts';
export { loadImagePpmNode } from './nodes/LoadImagePpm.ts';
export { imageInput, maskInput } from './nodes/nodeInputs.ts';
export { onnxModelNode, type VerifiedModelRef } from './nodes/OnnxModel.ts';
export { hexColorToYuv } from './nodes/SolidColorImage.ts';
