import { graphConstants } from '../graphs/i420GraphIo.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

const methods = ['x-axis: vertically', 'y-axis: horizontally'] as const;

/**
 * ComfyUI's `ImageFlip`: upside down (`x-axis: vertically`) or mirrored (`y-axis:
 * horizontally`). Each I420 plane is reversed along the axis: lossless.
 */
export const imageFlipNode: OnnxNodeDefinition = {
  classType: 'ImageFlip',
  kind: 'onnx',
  description: 'Flips the image upside down or mirrors it.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    flip_method: {
      type: 'STRING',
      default: methods[0],
      values: methods,
      description: 'Which way.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const image = imageInput(context, 'image');
    const axis = context.literal('flip_method') === methods[0] ? 0 : 1;
    const planes = image.planes();
    const reverse = (plane: string) =>
      g.op('Slice', [plane, int64s(-1), int64s(-(2 ** 62)), int64s(axis), int64s(-1)]);
    const flipped = { y: reverse(planes.y), u: reverse(planes.u), v: reverse(planes.v) };
    return [{ type: 'IMAGE', image: GraphImage.fromPlanes(g, flipped, image.size) }];
  },
};
