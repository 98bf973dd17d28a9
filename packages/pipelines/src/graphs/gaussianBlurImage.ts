import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { gaussianBlurPlan } from './gaussianBlurPlan.ts';

/**
 * Gaussian blur of a float image `[1, channels, h, w]` with standard deviation `sigmaPx`
 * (`gaussianBlurPlan`: average-pool down, two 1-D Convs with edge padding, bilinear upsample).
 * Sessions with it should use graph optimisation level `'extended'`.
 */
export function gaussianBlurImage(
  g: OnnxGraphBuilder,
  image: string,
  channels: number,
  sigmaPx: number,
): string {
  const int64s = (...values: number[]) =>
    g.constant(BigInt64Array.from(values, BigInt), [values.length], 'shape');
  const resizeTo = (x: string, size: string) =>
    g.op('Resize', [x, '', '', size], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  const plan = gaussianBlurPlan(sigmaPx);
  const radius = (plan.weights.length - 1) / 2;
  const small =
    plan.downscale === 1
      ? image
      : g.op('AveragePool', [image], {
          kernel_shape: attr.ints([plan.downscale, plan.downscale]),
          strides: attr.ints([plan.downscale, plan.downscale]),
          ceil_mode: attr.int(1),
        });
  const padded = g.op('Pad', [small, int64s(0, 0, radius, radius, 0, 0, radius, radius)], {
    mode: attr.string('edge'),
  });
  const taps = plan.weights.length;
  const kernel = (dims: number[]) => {
    const data = new Float32Array(channels * taps);
    for (let c = 0; c < channels; c++) data.set(plan.weights, c * taps);
    return g.constant(data, dims, 'gaussian');
  };
  const conv = (x: string, dims: number[]) =>
    g.op('Conv', [x, kernel(dims)], { group: attr.int(channels) });
  const blurred = conv(conv(padded, [channels, 1, 1, taps]), [channels, 1, taps, 1]);
  return plan.downscale === 1 ? blurred : resizeTo(blurred, g.op('Shape', [image]));
}
