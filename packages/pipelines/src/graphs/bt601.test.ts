import { describe, expect, it } from 'vitest';
import { applyAffine3, composeAffine3, rgbToYuv, yuvToRgb } from './bt601.ts';

describe('BT.601 limited range', () => {
  it.each([
    ['black', [0, 0, 0], [16, 128, 128]],
    ['white', [255, 255, 255], [235, 128, 128]],
    ['red', [255, 0, 0], [81.48, 90.2, 240]],
    ['green', [0, 255, 0], [144.55, 53.8, 34.21]],
    ['blue', [0, 0, 255], [40.97, 240, 109.79]],
  ] as const)('maps %s to the textbook YUV', (_, [r, g, b], expected) => {
    const yuv = applyAffine3(rgbToYuv, r, g, b);
    yuv.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i] as number, 1);
    });
  });

  it('has the usual YUV → RGB coefficients, and the two maps are inverses', () => {
    expect(yuvToRgb.matrix.map((x) => Number(x.toFixed(3)))).toEqual([
      1.164, 0, 1.596, 1.164, -0.392, -0.813, 1.164, 2.017, 0,
    ]);
    const identity = composeAffine3(rgbToYuv, yuvToRgb);
    identity.matrix.forEach((value, i) => {
      expect(value).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12);
    });
    for (const value of identity.offset) expect(value).toBeCloseTo(0, 10);
  });
});
