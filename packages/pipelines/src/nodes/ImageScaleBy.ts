import * as ort from 'onnxruntime-node';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { evenPx, resizeImage, upscaleMethodInput } from './ImageScale.ts';
import { imageInput } from './nodeInputs.ts';

/**
 * ComfyUI's `ImageScaleBy`: the image resized by `scale_by`, each side rounded to the nearest
 * even px (I420), at least 2.
 */
export const imageScaleByNode: OnnxNodeDefinition = {
  classType: 'ImageScaleBy',
  kind: 'onnx',
  description: 'Resizes the image by a factor (even sides).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to resize.' },
    upscale_method: upscaleMethodInput,
    scale_by: { type: 'FLOAT', default: 1, min: 0.01, max: 8, description: 'The factor.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'image');
    const scale = context.literal('scale_by') as number;
    const size = (input: { widthPx: number; heightPx: number }) => {
      const { widthPx, heightPx } = image.size(input);
      return { widthPx: evenPx(widthPx * scale), heightPx: evenPx(heightPx * scale) };
    };
    const target = context.frameFeed('size', 'int64', [2], (input) => {
      const { widthPx, heightPx } = size(input);
      return new ort.Tensor('int64', BigInt64Array.of(BigInt(heightPx), BigInt(widthPx)), [2]);
    });
    const yuv = resizeImage(context.g, image, target, context.literal('upscale_method') as string);
    return [{ type: 'IMAGE', image: GraphImage.fromYuv(context.g, target, yuv, size) }];
  },
};
