import type { Affine3 } from '../graphs/bt601.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** `rgb → 255 − rgb`, as an affine map. */
const invertRgb: Affine3 = { matrix: [-1, 0, 0, 0, -1, 0, 0, 0, -1], offset: [255, 255, 255] };

/**
 * ComfyUI's `ImageInvert`: `1 − rgb` (here `255 − rgb` on RGB 0..255, clipped). On a frame's
 * planes (or float YUV) the invert is computed plane by plane (GraphImage's `mapRgb`):
 * `Y' = 251 − Y`, `U' = 256 − U`, `V' = 256 − V`, the RGB path's result for in-gamut colours.
 * Out-of-gamut codes (Y below 16 or above 235, over-saturated chroma) are inverted as they are,
 * not first clipped to the RGB cube: what a viewer sees (the decoded RGB, clipped) is still
 * exactly `255 −` what it saw, up to the output's 0..255 bytes (Y above 251, U or V of 0). After
 * a node that made RGB (a blend, a mask), the invert runs on the RGB as before.
 */
export const imageInvertNode: OnnxNodeDefinition = {
  classType: 'ImageInvert',
  kind: 'onnx',
  description: 'Inverts the colours: 1 − RGB.',
  inputs: { image: { type: 'IMAGE', description: 'The image to invert.' } },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'image');
    return [{ type: 'IMAGE', image: image.mapRgb(invertRgb) }];
  },
};
