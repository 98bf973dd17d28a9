import type { Affine3 } from '../graphs/bt601.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** `rgb → 255 − rgb`, as an affine map. */
const invertRgb: Affine3 = { matrix: [-1, 0, 0, 0, -1, 0, 0, 0, -1], offset: [255, 255, 255] };

/**
 * ComfyUI's `ImageInvert`: `1 − rgb` (here `255 − rgb` on RGB 0..255, clipped). On a frame's
 * planes the invert folds into the YUV → RGB matrix; for in-gamut colours the I420 result is
 * `Y' = 251 − Y`, `U' = 256 − U`, `V' = 256 − V`.
 */
export const imageInvertNode: OnnxNodeDefinition = {
  classType: 'ImageInvert',
  kind: 'onnx',
  description: 'Inverts the colours: 1 − RGB.',
  inputs: { image: { type: 'IMAGE', description: 'The image to invert.' } },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const image = imageInput(context, 'image');
    const inverted = image.mappedRgbColumns(invertRgb);
    return [
      { type: 'IMAGE', image: GraphImage.fromRgbColumns(g, image.lumaShape, inverted, image.size) },
    ];
  },
};
