import { appendPixelate } from '../graphs/appendPixelate.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { literalInputsOf } from './filterNodeSupport.ts';
import { pixelateFilter, pixelateParamsSchema } from './filters/pixelateFilter.ts';
import { imageInput } from './nodeInputs.ts';

/** The `pixelate` filter as a node. The block size shapes the graph: a change rebuilds the plan. */
export const pixelateNode: OnnxNodeDefinition = {
  classType: 'Pixelate',
  kind: 'onnx',
  description: pixelateFilter.description,
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    ...literalInputsOf(pixelateParamsSchema),
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  graphOptimizationLevel: 'extended',
  build(context) {
    const image = imageInput(context, 'image');
    const blockSizePx = context.literal('blockSizePx') as number;
    const yuv = appendPixelate(context.g, image.planes(), blockSizePx);
    return [
      { type: 'IMAGE', image: GraphImage.fromYuv(context.g, image.lumaShape, yuv, image.size) },
    ];
  },
};
