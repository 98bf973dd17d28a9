import { graphConstants } from '../../graphs/i420GraphIo.ts';
import { GraphImage } from '../GraphImage.ts';
import type { OnnxNodeDefinition } from '../WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** ComfyUI's `ImageInvert`: `1 − rgb` (here `255 − rgb` on RGB 0..255, clipped). */
export const imageInvertNode: OnnxNodeDefinition = {
  classType: 'ImageInvert',
  kind: 'onnx',
  description: 'Inverts the colours: 1 − RGB.',
  inputs: { image: { type: 'IMAGE', description: 'The image to invert.' } },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { scalar } = graphConstants(g);
    const image = imageInput(context, 'image');
    const inverted = g.op('Sub', [scalar(255), image.rgbColumns()]);
    return [
      { type: 'IMAGE', image: GraphImage.fromRgbColumns(g, image.lumaShape, inverted, image.size) },
    ];
  },
};
