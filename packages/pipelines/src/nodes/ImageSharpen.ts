import * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { NodeLiterals, OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/**
 * The sharpening kernel ComfyUI's `ImageSharpen` describes, `(2r + 1)²`, summing to 1: a Gaussian
 * of `sigma` over a grid spanning −1..1 (whatever the radius), normalised, times `−10 · alpha`,
 * with the centre raised so that the whole sums to 1 (an unsharp mask).
 */
export function sharpenKernel(radius: number, sigma: number, alpha: number): Float32Array {
  const size = 2 * radius + 1;
  const at = (i: number) => (size === 1 ? 0 : -1 + (2 * i) / (size - 1));
  const weights = new Float64Array(size * size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const weight = Math.exp(-(at(i) ** 2 + at(j) ** 2) / (2 * sigma ** 2));
      weights[i * size + j] = weight;
      sum += weight;
    }
  }
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    weights[k] = (-10 * alpha * (weights[k] as number)) / sum;
    total += weights[k] as number;
  }
  const centre = radius * size + radius;
  weights[centre] = (weights[centre] as number) - total + 1;
  return Float32Array.from(weights);
}

/**
 * ComfyUI's `ImageSharpen`: each RGB channel convolved with `sharpenKernel` (edges mirrored),
 * clipped. `sigma` and `alpha` are fed per frame (live); `sharpen_radius` sizes the graph.
 */
export const imageSharpenNode: OnnxNodeDefinition = {
  classType: 'ImageSharpen',
  kind: 'onnx',
  description: 'Sharpens the image (an unsharp mask).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    sharpen_radius: { type: 'INT', default: 1, min: 1, max: 31, description: 'Kernel radius, px.' },
    sigma: { type: 'FLOAT', default: 1, min: 0.1, max: 10, description: 'Gaussian width.' },
    alpha: { type: 'FLOAT', default: 1, min: 0, max: 5, description: 'Strength.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  graphOptimizationLevel: 'extended',
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const image = imageInput(context, 'image');
    const radius = context.literal('sharpen_radius') as number;
    const size = 2 * radius + 1;
    const kernel = context.feed(
      'kernel',
      'float32',
      [3, 1, size, size],
      (literals: NodeLiterals) => {
        const one = sharpenKernel(radius, literals.sigma as number, literals.alpha as number);
        const three = new Float32Array(one.length * 3);
        for (let c = 0; c < 3; c++) three.set(one, c * one.length);
        return new ort.Tensor('float32', three, [3, 1, size, size]);
      },
    );
    const shape = g.op('Concat', [int64s(1, 3), image.lumaShape], { axis: attr.int(0) });
    const rgb = g.op('Reshape', [image.rgbColumns(), shape]);
    const padded = g.op('Pad', [rgb, int64s(0, 0, radius, radius, 0, 0, radius, radius)], {
      mode: attr.string('reflect'),
    });
    const sharp = g.op('Conv', [padded, kernel], { group: attr.int(3) });
    const columns = g.op('Reshape', [sharp, int64s(3, -1)]);
    return [
      {
        type: 'IMAGE',
        image: GraphImage.fromRgbColumns(g, image.lumaShape, columns, image.size),
      },
    ];
  },
};
