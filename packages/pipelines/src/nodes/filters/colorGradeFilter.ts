import type { PipelineParamsOf, PipelineParamsSchema } from '@peerframe/wire';
import * as ort from 'onnxruntime-node';
import { colorGradeCurveSize, colorGradeGraphNames } from '../../graphs/appendColorGrade.ts';
import { type Affine3, composeAffine3, rgbToYuv, yuvToRgb } from '../../graphs/bt601.ts';
import type { FilterDefinition } from '../filterNodeSupport.ts';

/** The params of `color-grade`: all fed to the running session as tensors, no rebuild. */
export const colorGradeParamsSchema = {
  saturation: {
    type: 'number',
    default: 1,
    min: 0,
    max: 3,
    description: 'Colourfulness: 0 grey, 1 unchanged, above 1 more vivid (luma kept).',
  },
  contrast: {
    type: 'number',
    default: 1,
    min: 0,
    max: 3,
    description: 'RGB scaled about mid-grey (127.5): 0 flat grey, 1 unchanged.',
  },
  brightness: {
    type: 'number',
    default: 0,
    min: -1,
    max: 1,
    description: 'Added to every RGB channel, as a fraction of full scale (255).',
  },
  temperature: {
    type: 'number',
    default: 0,
    min: -1,
    max: 1,
    description:
      'White balance: positive warmer (red up, blue down by up to 20 %), negative cooler.',
  },
  gamma: {
    type: 'number',
    default: 1,
    min: 0.2,
    max: 5,
    description: 'Tone curve `out = in^(1/gamma)` per channel: above 1 lifts the mid-tones.',
  },
} as const satisfies PipelineParamsSchema;

export type ColorGradeParams = PipelineParamsOf<typeof colorGradeParamsSchema>;

/** What the graph computes for one set of params: `rgb = curve(clip(grade(yuv → rgb)))`. */
export type ColorGradeTransform = {
  /** YUV (BT.601 limited range) → graded RGB 0..255, conversion included. */
  readonly yuvToGradedRgb: Affine3;
  /** The grade alone, RGB → RGB, applied before the curve. */
  readonly rgbGrade: Affine3;
  /** Per-channel curve exponent: `out = 255 · (in / 255) ^ exponent`. */
  readonly exponents: readonly [number, number, number];
  /** The curves as the graph's tables: `[3, colorGradeCurveSize]`, row-major, RGB 0..255. */
  readonly curves: Float32Array;
};

/** Share of R, G and B in luma (BT.601), from the Y row of `rgbToYuv`. */
const lumaWeights = (() => {
  const row = rgbToYuv.matrix.slice(0, 3);
  const sum = row.reduce((a, b) => a + b, 0);
  return row.map((w) => w / sum) as [number, number, number];
})();

/**
 * The colour matrix and curve for `params`: temperature (R and B gains), then saturation (mix
 * with luma), then contrast about mid-grey, then brightness, all one affine map in RGB; then the
 * gamma curve. Defaults give the identity.
 */
export function colorGradeTransform(params: ColorGradeParams): ColorGradeTransform {
  const { saturation: s, contrast: c, brightness, temperature: t, gamma } = params;
  const [wr, wg, wb] = lumaWeights;
  const temperature: Affine3 = {
    matrix: [1 + 0.2 * t, 0, 0, 0, 1, 0, 0, 0, 1 - 0.2 * t],
    offset: [0, 0, 0],
  };
  const saturation: Affine3 = {
    matrix: [0, 1, 2].flatMap((row) =>
      [wr, wg, wb].map((w, col) => (1 - s) * w + (row === col ? s : 0)),
    ),
    offset: [0, 0, 0],
  };
  const shift = 127.5 * (1 - c) + 255 * brightness;
  const contrast: Affine3 = {
    matrix: [c, 0, 0, 0, c, 0, 0, 0, c],
    offset: [shift, shift, shift],
  };
  const rgbGrade = composeAffine3(contrast, composeAffine3(saturation, temperature));
  const exponent = 1 / gamma;
  const exponents = [exponent, exponent, exponent] as const;
  const last = colorGradeCurveSize - 1;
  const curves = new Float32Array(3 * colorGradeCurveSize);
  for (const [channel, e] of exponents.entries()) {
    for (let i = 0; i <= last; i++)
      curves[channel * colorGradeCurveSize + i] = 255 * (i / last) ** e;
  }
  return { yuvToGradedRgb: composeAffine3(rgbGrade, yuvToRgb), rgbGrade, exponents, curves };
}

/** `color-grade`: a 3×3 colour matrix and per-channel tone curve, fed as tensors. */
export const colorGradeFilter: FilterDefinition<typeof colorGradeParamsSchema> = {
  name: 'color-grade',
  description:
    'Colour grading: saturation, contrast, brightness, temperature and gamma (ONNX, live).',
  paramsSchema: colorGradeParamsSchema,
  paramFeeds: (params) => {
    const { yuvToGradedRgb, curves } = colorGradeTransform(params);
    const { inputs } = colorGradeGraphNames;
    // The graph maps RGB 0..255 to curve-table positions 0..1023, plus 0.5 to round by truncating.
    const scale = (colorGradeCurveSize - 1) / 255;
    const matrix = Float32Array.from(yuvToGradedRgb.matrix, (value) => value * scale);
    const offset = Float32Array.from(yuvToGradedRgb.offset, (value) => value * scale + 0.5);
    return {
      [inputs.matrix]: new ort.Tensor('float32', matrix, [3, 3]),
      [inputs.offset]: new ort.Tensor('float32', offset, [3, 1]),
      [inputs.curves]: new ort.Tensor('float32', curves, [3, colorGradeCurveSize]),
    };
  },
};
