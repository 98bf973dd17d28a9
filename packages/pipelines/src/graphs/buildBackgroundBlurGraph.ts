import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { gaussianBlurPlan } from './gaussianBlurPlan.ts';

/** Input and output names of the background blur graph. */
export const backgroundBlurGraphNames = {
  inputs: {
    y: 'y',
    u: 'u',
    v: 'v',
    mask: 'mask',
    /** Scalars of the mask → alpha ramp: `alpha = clip(mask · alpha_scale + alpha_bias, 0, 1)`. */
    alphaScale: 'alpha_scale',
    alphaBias: 'alpha_bias',
  },
  outputs: { y: 'y_out', u: 'u_out', v: 'v_out' },
} as const;

export type BackgroundBlurGraphOptions = {
  /** Blur radius in frame pixels: a Gaussian of standard deviation `blurRadiusPx / 2`. */
  blurRadiusPx: number;
  /** Size of the mask input `[1, 1, maskHeightPx, maskWidthPx]`. */
  maskWidthPx: number;
  maskHeightPx: number;
};

/**
 * An ONNX model that keeps the person sharp and blurs the rest of an I420 frame (any even size):
 *
 * - alpha: the person probability `mask` through a ramp (`alpha_scale`, `alpha_bias`: threshold
 *   and edge softness, fed per frame so they change without a new session), upsampled
 *   bilinearly to the luma and chroma sizes, which gives smooth edges;
 * - background: each plane blurred by a separable Gaussian (`gaussianBlurPlan`: average-pool
 *   down, two 1-D Convs with edge padding, bilinear upsample);
 * - out = background + alpha · (frame − background), rounded and clipped to uint8.
 *
 * All of it works on Y, U and V directly: BT.601 is affine and the blur and the blend are
 * weighted averages, so blending in YUV equals blending in RGB (before clipping) and the frame
 * never needs converting to RGB and back at full size.
 */
export function buildBackgroundBlurGraph(options: BackgroundBlurGraphOptions): Uint8Array {
  const g = new OnnxGraphBuilder({ graphName: 'peerframe_background_blur' });
  const { inputs, outputs } = backgroundBlurGraphNames;
  const int64s = (...values: number[]) =>
    g.constant(BigInt64Array.from(values, BigInt), [values.length], 'shape');
  const scalar = (value: number) => g.constant(Float32Array.of(value), [], 'scalar');

  const y = g.addInput(inputs.y, 'uint8', ['H', 'W']);
  const u = g.addInput(inputs.u, 'uint8', ['H_2', 'W_2']);
  const v = g.addInput(inputs.v, 'uint8', ['H_2', 'W_2']);
  const mask = g.addInput(inputs.mask, 'float32', [
    1,
    1,
    options.maskHeightPx,
    options.maskWidthPx,
  ]);
  const alphaScale = g.addInput(inputs.alphaScale, 'float32', []);
  const alphaBias = g.addInput(inputs.alphaBias, 'float32', []);

  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]);
  const yImage = g.op('Cast', [toImage(y)], { to: attr.int(1) }); // [1, 1, H, W]
  const uvImage = g.op('Cast', [g.op('Concat', [toImage(u), toImage(v)], { axis: attr.int(1) })], {
    to: attr.int(1),
  }); // [1, 2, H/2, W/2]
  const lumaSize = g.op('Shape', [yImage]);
  const chromaSize = g.op('Concat', [int64s(1, 1), g.op('Shape', [u])], { axis: attr.int(0) });

  const resizeTo = (image: string, size: string) =>
    g.op('Resize', [image, '', '', size], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  const alpha = g.op('Clip', [
    g.op('Add', [g.op('Mul', [mask, alphaScale]), alphaBias]),
    scalar(0),
    scalar(1),
  ]);

  const composite = (image: string, background: string, weight: string) =>
    g.op('Add', [background, g.op('Mul', [weight, g.op('Sub', [image, background])])]);
  const sigmaPx = options.blurRadiusPx / 2;
  const yOut = composite(
    yImage,
    gaussianBlurImage(g, yImage, 1, sigmaPx),
    resizeTo(alpha, lumaSize),
  );
  const uvOut = composite(
    uvImage,
    gaussianBlurImage(g, uvImage, 2, sigmaPx / 2),
    resizeTo(alpha, chromaSize),
  );

  // QuantizeLinear with scale 1 and zero point 0: round half to even, clip to 0..255, uint8.
  const toBytes = (x: string) =>
    g.op('QuantizeLinear', [x, scalar(1), g.constant(Uint8Array.of(0), [], 'zero_point')]);
  g.op('Reshape', [toBytes(yOut), g.op('Shape', [y])], {}, outputs.y);
  const [uPlane, vPlane] = g.addNode('Split', [toBytes(uvOut)], ['u_plane', 'v_plane'], {
    axis: attr.int(1),
  });
  g.op('Squeeze', [uPlane as string, int64s(0, 1)], {}, outputs.u);
  g.op('Squeeze', [vPlane as string, int64s(0, 1)], {}, outputs.v);

  g.addOutput(outputs.y, 'uint8', ['H', 'W']);
  g.addOutput(outputs.u, 'uint8', ['H_2', 'W_2']);
  g.addOutput(outputs.v, 'uint8', ['H_2', 'W_2']);
  return g.toBytes();
}

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
