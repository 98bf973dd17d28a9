import * as ort from 'onnxruntime-node';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { gaussianBlurPlan } from './gaussianBlurPlan.ts';

/** The downscale factors a blur graph can pool to, in order (`gaussianBlurPlan`'s defaults). */
const downscales = [2, 4, 8] as const;

/**
 * The graph inputs that set a blur's strength, so that a new sigma is new feeds, never a new
 * graph (see `gaussianBlurFeeds`): `level` (int64 scalar, the index in 2×, 4×, 8× of the
 * downscale), `pads` (int64 `[8]`, edge padding of the kernel's radius) and `weights` (float32
 * `[channels, 1, 1, taps]`, the separable kernel; `taps` varies with sigma, so its dim is symbolic).
 */
export type GaussianBlurInputs = {
  readonly level: string;
  readonly pads: string;
  readonly weights: string;
};

/** The tensors of `GaussianBlurInputs` for a blur of standard deviation `sigmaPx`. */
export function gaussianBlurFeeds(
  sigmaPx: number,
  channels: number,
): { level: ort.Tensor; pads: ort.Tensor; weights: ort.Tensor } {
  const plan = gaussianBlurPlan(sigmaPx, { minDownscale: downscales[0], maxDownscale: 8 });
  const taps = plan.weights.length;
  const radius = BigInt((taps - 1) / 2);
  const weights = new Float32Array(channels * taps);
  for (let c = 0; c < channels; c++) weights.set(plan.weights, c * taps);
  return {
    level: new ort.Tensor('int64', BigInt64Array.of(BigInt(Math.log2(plan.downscale) - 1)), []),
    pads: new ort.Tensor(
      'int64',
      BigInt64Array.of(0n, 0n, radius, radius, 0n, 0n, radius, radius),
      [8],
    ),
    weights: new ort.Tensor('float32', weights, [channels, 1, 1, taps]),
  };
}

/**
 * Gaussian blur of a float image `[1, channels, h, w]` whose standard deviation comes from graph
 * inputs (`GaussianBlurInputs`, fed with `gaussianBlurFeeds`), at low resolution:
 * `gaussianBlurPlan`'s average-pool down (the image is pooled 2×, 4× and 8× by halvings, and
 * `level` picks one) and two 1-D Convs with edge padding. The blur is this upsampled bilinearly
 * to the image's size (`upsampleTo`), done apart so that a composite may do it itself
 * (`UpsampledComposite`). Changing the sigma changes feeds only: the session stays. Any graph
 * optimisation level suits it: `'all'` cannot re-layout Convs whose weights are inputs.
 */
export function gaussianBlurLowRes(
  g: OnnxGraphBuilder,
  image: string,
  channels: number,
  inputs: GaussianBlurInputs,
): string {
  const pooled: string[] = [];
  let previous = image;
  for (const _ of downscales) {
    previous = g.op('AveragePool', [previous], {
      kernel_shape: attr.ints([2, 2]),
      strides: attr.ints([2, 2]),
      ceil_mode: attr.int(1),
    });
    pooled.push(previous);
  }
  const small = g.op('SequenceAt', [g.op('SequenceConstruct', pooled), inputs.level]);
  const padded = g.op('Pad', [small, inputs.pads], { mode: attr.string('edge') });
  // No kernel_shape: the Convs take it from the fed weights.
  const conv = (x: string, weights: string) =>
    g.op('Conv', [x, weights], { group: attr.int(channels) });
  const vertical = g.op('Transpose', [inputs.weights], { perm: attr.ints([0, 1, 3, 2]) });
  return conv(conv(padded, inputs.weights), vertical);
}

/** `x` (`[1, C, h, w]`) resized bilinearly (`half_pixel`) to the shape of `like`. */
export function upsampleTo(g: OnnxGraphBuilder, x: string, like: string): string {
  return g.op('Resize', [x, '', '', g.op('Shape', [like])], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  });
}

/** `gaussianBlurLowRes` upsampled bilinearly to the image's size: the blurred image. */
export function gaussianBlurImage(
  g: OnnxGraphBuilder,
  image: string,
  channels: number,
  inputs: GaussianBlurInputs,
): string {
  return upsampleTo(g, gaussianBlurLowRes(g, image, channels, inputs), image);
}
