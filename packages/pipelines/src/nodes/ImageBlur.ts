import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { liveYuvBlur } from './liveYuvBlur.ts';
import { imageInput } from './nodeInputs.ts';

/**
 * ComfyUI's `ImageBlur`: a Gaussian of standard deviation `sigma` px (luma; chroma, at half
 * resolution, `sigma / 2`), approximated by `gaussianBlurPlan` (pool down, small separable
 * kernel, bilinear up: the same blur as `background-blur`), fed to the graph: a new `sigma`
 * applies live, without a new session. `blur_radius` is accepted for
 * ComfyUI compatibility; the extent of the kernel follows `sigma`. No graph optimisation level
 * of its own (see `liveYuvBlur`): it joins the session of the nodes around it.
 */
export const imageBlurNode: OnnxNodeDefinition = {
  classType: 'ImageBlur',
  kind: 'onnx',
  description: 'Gaussian blur of standard deviation sigma px.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to blur.' },
    blur_radius: {
      type: 'INT',
      default: 1,
      min: 1,
      max: 31,
      description: 'Kept for ComfyUI; unused.',
    },
    sigma: {
      type: 'FLOAT',
      default: 1,
      min: 0.1,
      max: 32,
      description: 'Standard deviation in px.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'image');
    return [{ type: 'IMAGE', image: liveYuvBlur(context, image, (l) => l.sigma as number) }];
  },
};
