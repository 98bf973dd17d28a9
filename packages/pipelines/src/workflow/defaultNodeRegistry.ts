import { audioGainNode } from '../nodes/AudioGain.ts';
import { blazeFaceDetectorNode } from '../nodes/BlazeFaceDetector.ts';
import {
  backgroundColorNode,
  compositeNode,
  gaussianBlurNode,
} from '../nodes/backgroundEditNodes.ts';
import { colorGradeNode } from '../nodes/ColorGrade.ts';
import { drawDetectionsNode } from '../nodes/DrawDetections.ts';
import { emptyImageNode } from '../nodes/EmptyImage.ts';
import { featherMaskNode } from '../nodes/FeatherMask.ts';
import { getImageSizeNode } from '../nodes/GetImageSize.ts';
import { growMaskNode } from '../nodes/GrowMask.ts';
import { imageBlendNode } from '../nodes/ImageBlend.ts';
import { imageBlurNode } from '../nodes/ImageBlur.ts';
import { imageCompositeMaskedNode } from '../nodes/ImageCompositeMasked.ts';
import { imageCropNode } from '../nodes/ImageCrop.ts';
import { imageFlipNode } from '../nodes/ImageFlip.ts';
import { imageInvertNode } from '../nodes/ImageInvert.ts';
import { imageScaleNode } from '../nodes/ImageScale.ts';
import { imageScaleByNode } from '../nodes/ImageScaleBy.ts';
import { imageSharpenNode } from '../nodes/ImageSharpen.ts';
import { imageToMaskNode } from '../nodes/ImageToMask.ts';
import { imageToTensorNode } from '../nodes/ImageToTensor.ts';
import { invertMaskNode } from '../nodes/InvertMask.ts';
import { loadAudioTensorNode } from '../nodes/LoadAudioTensor.ts';
import { loadImagePpmNode } from '../nodes/LoadImagePpm.ts';
import { loadTensorNode } from '../nodes/LoadTensor.ts';
import { maskCompositeNode } from '../nodes/MaskComposite.ts';
import { maskRampNode } from '../nodes/MaskRamp.ts';
import { maskToImageNode } from '../nodes/MaskToImage.ts';
import { noiseSuppressionNode } from '../nodes/NoiseSuppression.ts';
import { pitchShifterNode } from '../nodes/PitchShifter.ts';
import { pixelateNode } from '../nodes/Pixelate.ts';
import { primitiveNodes } from '../nodes/primitiveNodes.ts';
import { saveAudioTensorNode } from '../nodes/SaveAudioTensor.ts';
import { saveTensorNode } from '../nodes/SaveTensor.ts';
import { selfieSegmentationNode } from '../nodes/SelfieSegmentation.ts';
import { sketchFilterNode } from '../nodes/SketchFilter.ts';
import { solidColorImageNode } from '../nodes/SolidColorImage.ts';
import { solidMaskNode } from '../nodes/SolidMask.ts';
import { tensorToMaskNode } from '../nodes/TensorToMask.ts';
import { thresholdMaskNode } from '../nodes/ThresholdMask.ts';
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
  // ComfyUI's core image and mask nodes that realtime workflows use.
  imageToMaskNode,
  maskToImageNode,
  thresholdMaskNode,
  growMaskNode,
  featherMaskNode,
  solidMaskNode,
  maskCompositeNode,
  imageBlendNode,
  imageScaleByNode,
  imageSharpenNode,
  imageFlipNode,
  emptyImageNode,
  getImageSizeNode,
  ...primitiveNodes,
  // ComfyUI-Background-Edit's, which ComfyStream's depth workflows use.
  gaussianBlurNode,
  compositeNode,
  backgroundColorNode,
  // Audio (ComfyStream's convention), run by `AudioWorkflowPlan`.
  loadAudioTensorNode,
  saveAudioTensorNode,
  pitchShifterNode,
  noiseSuppressionNode,
  audioGainNode,
] as const;

export type DefaultNodeRegistryOptions = {
  /** The one directory `LoadImagePpm` reads from. Default: none (it then refuses to run). */
  imageDir?: string;
};

/** A registry with the built-in nodes; `register()` more on it (or a `clone()`). */
export function defaultNodeRegistry(options: DefaultNodeRegistryOptions = {}): NodeRegistry {
  return new NodeRegistry().register(...builtInNodes, loadImagePpmNode(options.imageDir));
}
