import { describe, expect, it } from 'vitest';
import { gaussianBlurPlan } from './gaussianBlurPlan.ts';

/** Standard deviation of the whole: pooling, the kernel (scaled up) and the bilinear upsample. */
function effectiveSigma(downscale: number, weights: Float32Array): number {
  const radius = (weights.length - 1) / 2;
  const kernelVariance = weights.reduce((sum, w, i) => sum + w * (i - radius) ** 2, 0);
  const f = downscale;
  const resampling = f === 1 ? 0 : (f * f - 1) / 12 + (f * f) / 6;
  return Math.sqrt(kernelVariance * f * f + resampling);
}

describe('gaussianBlurPlan', () => {
  it.each([
    [1, 2],
    [3, 2],
    [6, 4],
    [12, 8],
    [16, 8],
  ])('blurs σ %f px by downscaling %i×, with a normalised symmetric kernel', (sigma, downscale) => {
    const plan = gaussianBlurPlan(sigma);
    expect(plan.downscale).toBe(downscale);
    expect(plan.weights.length % 2).toBe(1);
    expect(plan.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Array.from(plan.weights)).toEqual(Array.from(plan.weights).reverse());
    expect(plan.weights.length).toBeLessThanOrEqual(13);
  });

  it('comes close to the requested σ, never below about 1.3 px', () => {
    for (const sigma of [2, 3, 5, 8, 12, 16]) {
      const plan = gaussianBlurPlan(sigma);
      expect(effectiveSigma(plan.downscale, plan.weights) / sigma).toBeGreaterThan(0.85);
      expect(effectiveSigma(plan.downscale, plan.weights) / sigma).toBeLessThan(1.15);
    }
    const smallest = gaussianBlurPlan(0.5);
    expect(effectiveSigma(smallest.downscale, smallest.weights)).toBeCloseTo(1.35, 1);
    const exact = gaussianBlurPlan(0.8, { minDownscale: 1 });
    expect(exact.downscale).toBe(1);
    expect(effectiveSigma(1, exact.weights)).toBeCloseTo(0.8, 1);
  });
});
