import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { convertTfliteToOnnx } from './convertTfliteToOnnx.ts';
import { TfliteConversionError } from './errors.ts';
import { parseTfliteModel } from './parseTfliteModel.ts';
import type { TfliteModel, TfliteTensor } from './TfliteTypes.ts';

// Regressions found by the fuzz suite (test/fuzz/tflite.test.ts): corrupt models once escaped
// the converter as a RangeError or a TypeError instead of a TfliteConversionError.

const require = createRequire(import.meta.url);
const load = (name: string) =>
  parseTfliteModel(readFileSync(require.resolve(`@mediapipe/selfie_segmentation/${name}`)));

/** The model with tensor `index` replaced. */
function withTensor(model: TfliteModel, index: number, change: Partial<TfliteTensor>): TfliteModel {
  const tensors = model.tensors.map((tensor) =>
    tensor.index === index ? { ...tensor, ...change } : tensor,
  );
  return { ...model, tensors };
}

describe('convertTfliteToOnnx on corrupt models', () => {
  it('refuses MEAN axes beyond the input rank with a TfliteConversionError', () => {
    const model = load('selfie_segmentation_landscape.tflite');
    const mean = model.operators.find((op) => op.opName === 'MEAN');
    const axesIndex = mean?.inputs[1] as number;
    const axes = new Uint8Array(new Int32Array([1, 255]).buffer);
    const corrupt = withTensor(model, axesIndex, { data: axes, shape: [2] });
    expect(() => convertTfliteToOnnx(corrupt)).toThrow(TfliteConversionError);
    expect(() => convertTfliteToOnnx(corrupt)).toThrow(/MEAN .*axes 1, 255 are out of range/);
  });

  it('refuses an ADD operand of rank above 4 against a rank-4 output', () => {
    const model = load('selfie_segmentation.tflite');
    const add = model.operators.find((op) => op.opName === 'ADD');
    const operand = add?.inputs[1] as number;
    const corrupt = withTensor(model, operand, { shape: new Array<number>(31).fill(1) });
    expect(() => convertTfliteToOnnx(corrupt)).toThrow(TfliteConversionError);
  });

  it('turns any other failure inside an operator into a TfliteConversionError naming it', () => {
    const model = load('selfie_segmentation.tflite');
    const conv = model.operators.find((op) => op.opName === 'CONV_2D');
    // No options table at all: the converter reads fields of it without checking.
    const corrupt = {
      ...model,
      operators: model.operators.map((op) => (op === conv ? { ...op, options: null } : op)),
    } as unknown as TfliteModel;
    let error: unknown;
    try {
      convertTfliteToOnnx(corrupt);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TfliteConversionError);
    expect((error as Error).message).toMatch(/CONV_2D \(operator #\d+\)/);
  });
});
