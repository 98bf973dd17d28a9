import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { convertTfliteToOnnx } from './convertTfliteToOnnx.ts';
import { TfliteParseError, UnsupportedTfliteOpError } from './errors.ts';
import { FlatBufferReader } from './FlatBufferReader.ts';
import { parseTfliteModel } from './parseTfliteModel.ts';

const require = createRequire(import.meta.url);
const modelPath = (name: string) => require.resolve(`@mediapipe/selfie_segmentation/${name}`);
const general = readFileSync(modelPath('selfie_segmentation.tflite'));
const landscape = readFileSync(modelPath('selfie_segmentation_landscape.tflite'));

function opCounts(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of parseTfliteModel(bytes).operators)
    counts[op.opName] = (counts[op.opName] ?? 0) + 1;
  return counts;
}

describe('parseTfliteModel', () => {
  it('reads the MediaPipe selfie segmentation model: tensors, operators, options', () => {
    const model = parseTfliteModel(general);
    expect(model.version).toBe(3);
    expect(model.tensors).toHaveLength(360);
    expect(model.operators).toHaveLength(246);
    const input = model.tensors[model.inputs[0] as number];
    const output = model.tensors[model.outputs[0] as number];
    expect(input).toMatchObject({ name: 'input_1', shape: [1, 256, 256, 3], type: 'FLOAT32' });
    expect(output).toMatchObject({ name: 'activation_10', shape: [1, 256, 256, 1] });
    expect(opCounts(general)).toEqual({
      DEQUANTIZE: 110,
      CONV_2D: 43,
      HARD_SWISH: 11,
      RELU: 22,
      DEPTHWISE_CONV_2D: 11,
      AVERAGE_POOL_2D: 10,
      LOGISTIC: 11,
      MUL: 10,
      ADD: 14,
      RESIZE_BILINEAR: 3,
      Convolution2DTransposeBias: 1,
    });
    // Every weight is FLOAT16 behind a DEQUANTIZE.
    expect(model.tensors.filter((t) => t.type === 'FLOAT16' && t.data !== undefined)).toHaveLength(
      110,
    );
    const firstConv = model.operators.find((op) => op.opName === 'CONV_2D');
    expect(firstConv?.options).toMatchObject({
      padding: 0,
      stride_h: 2,
      stride_w: 2,
      fused_activation_function: 0,
    });
    expect(model.tensors[firstConv?.inputs[1] as number]?.shape).toEqual([16, 3, 3, 3]);
    const resize = model.operators.find((op) => op.opName === 'RESIZE_BILINEAR');
    expect(resize?.options).toMatchObject({ align_corners: false, half_pixel_centers: true });
    const transpose = model.operators.find((op) => op.opName === 'Convolution2DTransposeBias');
    expect(
      Array.from(new Int32Array(new Uint8Array(transpose?.customOptions ?? []).buffer)),
    ).toEqual([1, 2, 2]);
  });

  it('reads the landscape model (MEAN instead of AVERAGE_POOL_2D)', () => {
    const model = parseTfliteModel(landscape);
    expect(model.tensors[model.inputs[0] as number]?.shape).toEqual([1, 144, 256, 3]);
    expect(model.tensors[model.outputs[0] as number]?.shape).toEqual([1, 144, 256, 1]);
    const counts = opCounts(landscape);
    expect(counts.MEAN).toBe(10);
    expect(counts.AVERAGE_POOL_2D).toBeUndefined();
  });

  it('refuses bytes that are not a TFLite model, or are cut short', () => {
    expect(() => parseTfliteModel(new Uint8Array(4))).toThrow(
      'Not a TFLite model: the file is too short',
    );
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0);
    expect(() => parseTfliteModel(png)).toThrow(TfliteParseError);
    expect(() => parseTfliteModel(png)).toThrow('wrong file identifier');
    expect(() => parseTfliteModel(general.subarray(0, 4096))).toThrow(
      'Corrupt FlatBuffer: read out of bounds',
    );
  });

  it('names an operator the converter does not know in a real model file', () => {
    // Rewrite the HARD_SWISH operator code (117) of a copy of the model as SQUARED_DIFFERENCE (99).
    const bytes = new Uint8Array(general);
    const view = new DataView(bytes.buffer);
    const codes = new FlatBufferReader(bytes).root().tables(1);
    const hardSwish = codes.find((code) => Math.max(code.int8(0, 0), code.int32(3, 0)) === 117);
    const builtinCode = hardSwish?.field(3);
    const deprecatedCode = hardSwish?.field(0);
    expect(builtinCode).toBeDefined();
    view.setInt32(builtinCode as number, 99, true);
    if (deprecatedCode !== undefined) view.setInt8(deprecatedCode, 99);
    expect(() => convertTfliteToOnnx(bytes)).toThrow(UnsupportedTfliteOpError);
    expect(() => convertTfliteToOnnx(bytes)).toThrow(
      /^Unsupported TFLite operator SQUARED_DIFFERENCE \(operator #3\)/,
    );
  });
});
