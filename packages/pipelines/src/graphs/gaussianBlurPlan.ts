/**
 * How to apply a Gaussian blur of standard deviation `sigmaPx` to a plane cheaply: average-pool
 * it down by `downscale` (a power of two, at most `sigmaPx` but at least `minDownscale`), blur
 * that with the separable `weights` (odd length, sum 1), and upsample bilinearly. The pooling and
 * the bilinear upsample blur too (variances (f² − 1)/12 and f²/6 for factor f), so the small
 * kernel only adds what is left; the whole stays close to the requested Gaussian at a fraction of
 * the cost. With the default `minDownscale` 2 the smallest blur is σ ≈ 1.3 px: a full-size
 * convolution of a 1-channel 1280×720 plane costs more than the rest of the pipeline.
 */
export type GaussianBlurPlan = {
  readonly downscale: number;
  /** Standard deviation of the small kernel, in downscaled pixels. */
  readonly kernelSigmaPx: number;
  readonly weights: Float32Array;
};

export type GaussianBlurPlanOptions = {
  /** Smallest downscale factor (1, 2, 4 or 8). Default 2. */
  minDownscale?: number;
  /** Largest downscale factor. Default 8. */
  maxDownscale?: number;
};

export function gaussianBlurPlan(
  sigmaPx: number,
  options: GaussianBlurPlanOptions = {},
): GaussianBlurPlan {
  const { minDownscale = 2, maxDownscale = 8 } = options;
  let downscale = 1;
  while (downscale * 2 <= Math.min(sigmaPx, maxDownscale)) downscale *= 2;
  downscale = Math.max(downscale, minDownscale);
  const f = downscale;
  const variance = f === 1 ? sigmaPx ** 2 : sigmaPx ** 2 - (f * f - 1) / 12 - (f * f) / 6;
  const kernelSigmaPx = Math.max(Math.sqrt(Math.max(variance, 0)) / f, 0.5);
  const radius = Math.max(1, Math.ceil(2.5 * kernelSigmaPx));
  const weights = Float32Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * kernelSigmaPx ** 2)),
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) / sum;
  return { downscale, kernelSigmaPx, weights };
}
