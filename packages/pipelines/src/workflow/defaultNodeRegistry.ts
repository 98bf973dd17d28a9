import { blazeFaceDetectorNode } from '../nodes/BlazeFaceDetector.ts';
import { colorGradeNode } from '../nodes/ColorGrade.ts';
import { drawDetectionsNode } from '../nodes/DrawDetections.ts';
import { imageBlurNode } from '../nodes/ImageBlur.ts';
import { imageCompositeMaskedNode } from '../nodes/ImageCompositeMasked.ts';
import { imageCropNode } from '../nodes/ImageCrop.ts';
import { imageInvertNode } from '../nodes/ImageInvert.ts';
import { imageScaleNode } from '../nodes/ImageScale.ts';
import { imageToTensorNode } from '../nodes/ImageToTensor.ts';
import { invertMaskNode } from '../nodes/InvertMask.ts';
import { loadImageNode } from '../nodes/LoadImage.ts';
import { loadTensorNode } from '../nodes/LoadTensor.ts';
import { maskRampNode } from '../nodes/MaskRamp.ts';
import { pixelateNode } from '../nodes/Pixelate.ts';
import { saveTensorNode } from '../nodes/SaveTensor.ts';
import { selfieSegmentationNode } from '../nodes/SelfieSegmentation.ts';
import { sketchFilterNode } from '../nodes/SketchFilter.ts';
import { solidColorImageNode } from '../nodes/SolidColorImage.ts';
import { tensorToMaskNode } from '../nodes/TensorToMask.ts';
import { toonFilterNode } from '../nodes/ToonFilter.ts';
import { NodeRegistry } from './NodeRegistry.ts';

/** Every built-in node type. */
export const builtInNodes = [
  loadTensorNode,
  saveTensorNode,
  imageInvertNode,
  imageScaleNode,
  imageCropNode,
  imageBlurNode,
  imageCompositeMaskedNode,
  imageToTensorNode,
  tensorToMaskNode,
  solidColorImageNode,
  maskRampNode,
  invertMaskNode,
  sketchFilterNode,
  toonFilterNode,
  colorGradeNode,
  pixelateNode,
  selfieSegmentationNode,
  blazeFaceDetectorNode,
  drawDetectionsNode,
] as const;

export type DefaultNodeRegistryOptions = {
  /** The one directory `LoadImage` reads from. Default: none (LoadImage then refuses to run). */
  imageDir?: string;
};

/** A registry with the built-in nodes; `register()` more on it (or a `clone()`). */
export function defaultNodeRegistry(options: DefaultNodeRegistryOptions = {}): NodeRegistry {
  return new NodeRegistry().register(...builtInNodes, loadImageNode(options.imageDir));
}
