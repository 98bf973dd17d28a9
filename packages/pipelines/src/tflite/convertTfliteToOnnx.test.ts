import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runTfliteReference } from '../../fixtures/runTfliteReference.ts';
import { convertTfliteToOnnx } from './convertTfliteToOnnx.ts';
import { TfliteConversionError, UnsupportedTfliteOpError } from './errors.ts';
import type { TfliteModel, TfliteOperator, TfliteOptions, TfliteTensor } from './TfliteTypes.ts';

// Small TFLite models written as parsed objects, run through the converter and onnxruntime, and
// compared with a plain NHWC interpreter of TFLite's semantics (fixtures/runTfliteReference.ts). Even sizes with stride 2
// make SAME padding asymmetric, so a layout or padding mistake changes the numbers.

type Data = Float32Array | Int32Array;
type TensorSpec = {
  shape: number[];
  data?: Data;
  type?: TfliteTensor['type'];
  raw?: Uint8Array;
  quantization?: TfliteTensor['quantization'];
};
type OpSpec = {
  op: string;
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
  customOptions?: Uint8Array;
};

function bytesOf(data: Data): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

function buildModel(tensors: TensorSpec[], ops: OpSpec[], inputs = [0], outputs?: number[]) {
  const model: TfliteModel = {
    version: 3,
    description: 'test',
    tensors: tensors.map((spec, index) => ({
      index,
      name: `t${index}`,
      shape: spec.shape,
      type: spec.type ?? (spec.data instanceof Int32Array ? 'INT32' : 'FLOAT32'),
      data: spec.raw ?? (spec.data === undefined ? undefined : bytesOf(spec.data)),
      quantization: spec.quantization,
    })),
    operators: ops.map(
      (spec, index): TfliteOperator => ({
        index,
        opName: spec.op,
        builtinCode: 0,
        inputs: spec.inputs,
        outputs: spec.outputs,
        options: spec.options ?? {},
        customOptions: spec.customOptions,
      }),
    ),
    inputs,
    outputs: outputs ?? [tensors.length - 1],
  };
  return model;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Deterministic values in -1..1. */
function noise(length: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  });
}

// ---- Harness -----------------------------------------------------------------------------

async function runConverted(
  model: TfliteModel,
  input: Float32Array,
  layout: 'nhwc' | 'nchw' = 'nhwc',
) {
  const session = await ort.InferenceSession.create(convertTfliteToOnnx(model, { layout }), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
  });
  try {
    const inputShape = (model.tensors[model.inputs[0] as number] as TfliteTensor).shape;
    const result = await session.run({
      [session.inputNames[0] as string]: new ort.Tensor('float32', input, [...inputShape]),
    });
    return result[session.outputNames[0] as string] as ort.Tensor;
  } finally {
    await session.release();
  }
}

async function expectMatchesReference(model: TfliteModel, seed = 1) {
  const inputShape = (model.tensors[model.inputs[0] as number] as TfliteTensor).shape;
  const input = noise(size(inputShape), seed);
  const output = await runConverted(model, input);
  const outputShape = (model.tensors[model.outputs[0] as number] as TfliteTensor).shape;
  expect(output.dims).toEqual(outputShape);
  const expected = runTfliteReference(model, input);
  const actual = output.data as Float32Array;
  let maxError = 0;
  expected.forEach((value, i) => {
    maxError = Math.max(maxError, Math.abs(value - (actual[i] as number)));
  });
  expect(maxError).toBeLessThan(1e-4);
  return { expected, actual };
}

const float16Bytes = (values: readonly number[]) => {
  // Values exactly representable in float16: sign, exponent and 10-bit fraction by hand.
  const out = new DataView(new ArrayBuffer(values.length * 2));
  values.forEach((value, i) => {
    if (value === 0) return;
    const exponent = Math.floor(Math.log2(Math.abs(value)));
    const fraction = Math.round((Math.abs(value) / 2 ** exponent - 1) * 1024);
    out.setUint16(2 * i, (value < 0 ? 0x8000 : 0) | ((exponent + 15) << 10) | fraction, true);
  });
  return new Uint8Array(out.buffer);
};

describe('convertTfliteToOnnx', () => {
  it('converts CONV_2D with asymmetric SAME padding, stride 2, fp16 weights and fused RELU6', async () => {
    const weights = Array.from(noise(6 * 3 * 3 * 4, 7), (v) => Math.round(v * 64) / 32);
    const model = buildModel(
      [
        { shape: [1, 6, 7, 4] }, // height 6: 1 pad row, after (TensorFlow's SAME); width 7: 1 + 1
        { shape: [6, 3, 3, 4], type: 'FLOAT16', raw: float16Bytes(weights) },
        { shape: [6, 3, 3, 4] },
        { shape: [6], data: noise(6, 3) },
        { shape: [1, 3, 4, 6] },
      ],
      [
        { op: 'DEQUANTIZE', inputs: [1], outputs: [2] },
        {
          op: 'CONV_2D',
          inputs: [0, 2, 3],
          outputs: [4],
          options: { padding: 0, stride_h: 2, stride_w: 2, fused_activation_function: 3 },
        },
      ],
    );
    const { expected } = await expectMatchesReference(model);
    expect(expected.some((v) => v === 0) && expected.some((v) => v > 0)).toBe(true); // RELU6 bites
  });

  it('converts DEPTHWISE_CONV_2D with a depth multiplier and dilation, and VALID CONV_2D', async () => {
    const model = buildModel(
      [
        { shape: [1, 6, 5, 3] },
        { shape: [1, 3, 3, 6], data: noise(54, 11) },
        { shape: [6], data: noise(6, 12) },
        { shape: [1, 6, 5, 6] },
        { shape: [4, 2, 2, 6], data: noise(96, 13) },
        { shape: [1, 5, 4, 4] },
      ],
      [
        {
          op: 'DEPTHWISE_CONV_2D',
          inputs: [0, 1, 2],
          outputs: [3],
          options: {
            padding: 0,
            stride_h: 1,
            stride_w: 1,
            depth_multiplier: 2,
            dilation_h_factor: 2,
            fused_activation_function: 0,
          },
        },
        {
          op: 'CONV_2D',
          inputs: [3, 4, -1],
          outputs: [5],
          options: { padding: 1, stride_h: 1, stride_w: 1, fused_activation_function: 1 },
        },
      ],
    );
    await expectMatchesReference(model, 2);
  });

  it('converts TRANSPOSE_CONV and MediaPipe Convolution2DTransposeBias', async () => {
    const custom = new Uint8Array(new Int32Array([1, 2, 2]).buffer); // SAME, stride_w 2, stride_h 2
    const model = buildModel(
      [
        { shape: [1, 3, 4, 5] },
        { shape: [4], data: Int32Array.of(1, 6, 8, 2) },
        { shape: [2, 3, 3, 5], data: noise(90, 21) },
        { shape: [1, 6, 8, 2] },
        { shape: [3, 2, 2, 2], data: noise(24, 22) },
        { shape: [3], data: noise(3, 23) },
        { shape: [1, 12, 16, 3] },
      ],
      [
        {
          op: 'TRANSPOSE_CONV',
          inputs: [1, 2, 0],
          outputs: [3],
          options: { padding: 0, stride_h: 2, stride_w: 2 },
        },
        {
          op: 'Convolution2DTransposeBias',
          inputs: [3, 4, 5],
          outputs: [6],
          customOptions: custom,
        },
      ],
    );
    await expectMatchesReference(model, 3);
  });

  it('converts pools, MEAN, broadcasting ADD/MUL/SUB and the activations', async () => {
    const model = buildModel(
      [
        { shape: [1, 5, 7, 4] }, // 0
        { shape: [1, 3, 4, 4] }, // 1 average pool 3×3 / 2 SAME
        { shape: [1, 3, 4, 4] }, // 2 hard swish
        { shape: [2], data: Int32Array.of(1, 2) },
        { shape: [1, 1, 1, 4] }, // 4 mean keep_dims
        { shape: [1, 1, 1, 4] }, // 5 logistic
        { shape: [1, 3, 4, 4] }, // 6 mul (broadcast)
        { shape: [4], data: noise(4, 31) },
        { shape: [1, 3, 4, 4] }, // 8 add rank-1 constant, fused RELU
        { shape: [1, 2, 2, 4] }, // 9 max pool 2×2 / 2 SAME
        { shape: [1, 2, 2, 4] }, // 10 tanh
        { shape: [1], data: Int32Array.of(2) },
        { shape: [1, 2, 4] }, // 12 mean over W, no keep_dims (leaves NCHW)
        { shape: [1, 2, 4] }, // 13 relu6
        { shape: [1, 2, 4], data: noise(8, 32) },
        { shape: [1, 2, 4] }, // 15 sub
      ],
      [
        {
          op: 'AVERAGE_POOL_2D',
          inputs: [0],
          outputs: [1],
          options: { padding: 0, stride_h: 2, stride_w: 2, filter_height: 3, filter_width: 3 },
        },
        { op: 'HARD_SWISH', inputs: [1], outputs: [2] },
        { op: 'MEAN', inputs: [2, 3], outputs: [4], options: { keep_dims: true } },
        { op: 'LOGISTIC', inputs: [4], outputs: [5] },
        { op: 'MUL', inputs: [2, 5], outputs: [6], options: { fused_activation_function: 0 } },
        { op: 'ADD', inputs: [6, 7], outputs: [8], options: { fused_activation_function: 1 } },
        {
          op: 'MAX_POOL_2D',
          inputs: [8],
          outputs: [9],
          options: { padding: 0, stride_h: 2, stride_w: 2, filter_height: 2, filter_width: 2 },
        },
        { op: 'TANH', inputs: [9], outputs: [10] },
        { op: 'MEAN', inputs: [10, 11], outputs: [12], options: { keep_dims: false } },
        { op: 'RELU6', inputs: [12], outputs: [13] },
        { op: 'SUB', inputs: [13, 14], outputs: [15], options: { fused_activation_function: 0 } },
      ],
    );
    await expectMatchesReference(model, 4);
  });

  it.each([
    ['half_pixel_centers', { half_pixel_centers: true }],
    ['align_corners', { align_corners: true }],
    ['neither (legacy)', {}],
  ])('converts RESIZE_BILINEAR with %s', async (_, options) => {
    const model = buildModel(
      [{ shape: [1, 3, 5, 2] }, { shape: [2], data: Int32Array.of(7, 8) }, { shape: [1, 7, 8, 2] }],
      [{ op: 'RESIZE_BILINEAR', inputs: [0, 1], outputs: [2], options }],
    );
    await expectMatchesReference(model, 5);
  });

  it('converts CONCATENATION, RESHAPE and PAD in TFLite element order', async () => {
    const model = buildModel(
      [
        { shape: [1, 2, 3, 2] }, // 0
        { shape: [1, 2, 3, 1], data: noise(6, 41) },
        { shape: [1, 2, 3, 3] }, // 2 concat on channels
        { shape: [4, 2], data: Int32Array.of(0, 0, 1, 0, 0, 2, 1, 0) },
        { shape: [1, 3, 5, 4] }, // 4 pad (H before 1, W after 2, C before 1)
        { shape: [15, 4] }, // 5 reshape to rank 2
        { shape: [1, 5, 3, 4] }, // 6 reshape back to rank 4, another split
        { shape: [1, 5, 3, 8] }, // 7 concat with itself, axis -1
      ],
      [
        {
          op: 'CONCATENATION',
          inputs: [0, 1],
          outputs: [2],
          options: { axis: 3, fused_activation_function: 0 },
        },
        { op: 'PAD', inputs: [2, 3], outputs: [4] },
        { op: 'RESHAPE', inputs: [4], outputs: [5] },
        { op: 'RESHAPE', inputs: [5], outputs: [6] },
        {
          op: 'CONCATENATION',
          inputs: [6, 6],
          outputs: [7],
          options: { axis: -1, fused_activation_function: 0 },
        },
      ],
    );
    await expectMatchesReference(model, 6);
  });

  it('folds DEQUANTIZE of per-channel INT8 weights', async () => {
    const q = Int8Array.of(-128, -1, 0, 5, 127, 64, -64, 3);
    const model = buildModel(
      [
        { shape: [1, 2, 2, 4] },
        {
          shape: [2, 1, 1, 4],
          type: 'INT8',
          raw: new Uint8Array(q.buffer),
          quantization: { scale: [0.5, 0.25], zeroPoint: [0, 1], quantizedDimension: 0 },
        },
        { shape: [2, 1, 1, 4] },
        { shape: [1, 2, 2, 2] },
      ],
      [
        { op: 'DEQUANTIZE', inputs: [1], outputs: [2] },
        {
          op: 'CONV_2D',
          inputs: [0, 2, -1],
          outputs: [3],
          options: { padding: 1, stride_h: 1, stride_w: 1 },
        },
      ],
    );
    const input = Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
    const output = await runConverted(model, input);
    // Pixel k picks input channel k, so it shows weight k of both filters:
    // filter 0 is (q − 0) · 0.5 = [-64, -0.5, 0, 2.5],
    // filter 1 is (q − 1) · 0.25 = [31.5, 15.75, -16.25, 0.5].
    expect(Array.from(output.data as Float32Array)).toEqual([
      -64, 31.5, -0.5, 15.75, 0, -16.25, 2.5, 0.5,
    ]);
  });

  it('keeps NCHW at the edges when asked (no Transpose needed by NCHW callers)', async () => {
    const model = buildModel(
      [{ shape: [1, 2, 3, 2] }, { shape: [1, 2, 3, 2] }],
      [{ op: 'LOGISTIC', inputs: [0], outputs: [1] }],
    );
    const input = noise(12, 9); // read as NCHW [1, 2, 2, 3]
    // The NHWC-shaped feed no longer fits the NCHW input.
    await expect(runConverted(model, input, 'nchw')).rejects.toThrow();
    const session = await ort.InferenceSession.create(
      convertTfliteToOnnx(model, { layout: 'nchw' }),
    );
    const result = await session.run({ t0: new ort.Tensor('float32', input, [1, 2, 2, 3]) });
    await session.release();
    const output = result.t1 as ort.Tensor;
    expect(output.dims).toEqual([1, 2, 2, 3]);
    const expected = 1 / (1 + Math.exp(-(input[5] as number)));
    expect((output.data as Float32Array)[5]).toBeCloseTo(expected, 6);
  });

  it('refuses a model with an unknown operator, naming it', () => {
    const model = buildModel(
      [{ shape: [1, 4] }, { shape: [1, 4] }, { shape: [1, 4] }],
      [
        { op: 'RELU', inputs: [0], outputs: [1] },
        { op: 'SQUARED_DIFFERENCE', inputs: [1, 1], outputs: [2] },
      ],
    );
    expect(() => convertTfliteToOnnx(model)).toThrow(UnsupportedTfliteOpError);
    expect(() => convertTfliteToOnnx(model)).toThrow(
      'Unsupported TFLite operator SQUARED_DIFFERENCE (operator #1)',
    );
    try {
      convertTfliteToOnnx(model);
    } catch (error) {
      expect(error).toMatchObject({ code: 'tflite_op_unsupported', opName: 'SQUARED_DIFFERENCE' });
      expect((error as UnsupportedTfliteOpError).details).toContain('CONV_2D');
    }
    const custom = buildModel(
      [{ shape: [1] }, { shape: [1] }],
      [{ op: 'MyCustomOp', inputs: [0], outputs: [1] }],
    );
    expect(() => convertTfliteToOnnx(custom)).toThrow('Unsupported TFLite operator MyCustomOp');
  });

  it('names the operator when a supported one is used in an unsupported way', () => {
    const model = buildModel(
      [{ shape: [1, 4] }, { shape: [1, 4], data: noise(4, 1) }, { shape: [1, 4] }],
      [{ op: 'ADD', inputs: [0, 1], outputs: [2], options: { fused_activation_function: 5 } }],
    );
    expect(() => convertTfliteToOnnx(model)).toThrow(TfliteConversionError);
    expect(() => convertTfliteToOnnx(model)).toThrow(
      'ADD (operator #0): unsupported fused activation function 5',
    );
  });
});
