import { attr } from '../onnx/OnnxTypes.ts';
import { decodeFloat16 } from './float16ToFloat32.ts';
import type { TfliteGraphContext } from './TfliteGraphContext.ts';
import type { TfliteOperator } from './TfliteTypes.ts';
import { nchwAxis, nchwToNhwc, permute, samePadding, transposeData } from './tfliteLayout.ts';

/** Writes the ONNX node(s) of one TFLite operator. */
export type TfliteOpConverter = (ctx: TfliteGraphContext, op: TfliteOperator) => void;

/** `Padding` in schema.fbs. */
const paddingSame = 0;
const paddingValid = 1;

/**
 * TFLite operator → ONNX opset 17, one node each (plus a Transpose where RESHAPE or MEAN change
 * rank). Keys are builtin names, or the custom code of a custom operator.
 */
export const tfliteOpConverters: Readonly<Record<string, TfliteOpConverter>> = {
  DEQUANTIZE: dequantize,
  CONV_2D: conv2d,
  DEPTHWISE_CONV_2D: depthwiseConv2d,
  TRANSPOSE_CONV: (ctx, op) => {
    const [, weights, input, bias] = op.inputs;
    transposeConv(ctx, op, {
      input,
      weights,
      bias,
      padding: option(ctx, op, 'padding') === paddingValid ? 'valid' : 'same',
      strideH: option(ctx, op, 'stride_h'),
      strideW: option(ctx, op, 'stride_w'),
      fusedActivation: option(ctx, op, 'fused_activation_function', 0),
    });
  },
  Convolution2DTransposeBias: convolution2dTransposeBias,
  AVERAGE_POOL_2D: (ctx, op) => pool2d(ctx, op, 'Average'),
  MAX_POOL_2D: (ctx, op) => pool2d(ctx, op, 'Max'),
  MEAN: mean,
  ADD: (ctx, op) => binary(ctx, op, 'Add'),
  SUB: (ctx, op) => binary(ctx, op, 'Sub'),
  MUL: (ctx, op) => binary(ctx, op, 'Mul'),
  RELU: (ctx, op) => unary(ctx, op, (x) => ctx.g.op('Relu', [x])),
  RELU6: (ctx, op) => unary(ctx, op, (x) => clip(ctx, x, 0, 6)),
  LOGISTIC: (ctx, op) => unary(ctx, op, (x) => ctx.g.op('Sigmoid', [x])),
  TANH: (ctx, op) => unary(ctx, op, (x) => ctx.g.op('Tanh', [x])),
  // x · relu6(x + 3) / 6, which is ONNX HardSwish (alpha 1/6, beta 0.5) exactly.
  HARD_SWISH: (ctx, op) => unary(ctx, op, (x) => ctx.g.op('HardSwish', [x])),
  RESIZE_BILINEAR: (ctx, op) => resize(ctx, op, 'linear'),
  CONCATENATION: concatenation,
  RESHAPE: reshape,
  PAD: pad,
};

function option(ctx: TfliteGraphContext, op: TfliteOperator, name: string, fallback?: number) {
  const value = op.options[name];
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (fallback !== undefined) return fallback;
  throw ctx.error(`missing option ${name}`);
}

/** Applies a fused activation (`ActivationFunctionType`) to `value`. */
function activation(ctx: TfliteGraphContext, value: string, code: number): string {
  switch (code) {
    case 0:
      return value;
    case 1:
      return ctx.g.op('Relu', [value]);
    case 2:
      return clip(ctx, value, -1, 1);
    case 3:
      return clip(ctx, value, 0, 6);
    case 4:
      return ctx.g.op('Tanh', [value]);
    default:
      throw ctx.error(`unsupported fused activation function ${code}`);
  }
}

function clip(ctx: TfliteGraphContext, value: string, min: number, max: number): string {
  return ctx.g.op('Clip', [value, ctx.floats([min], []), ctx.floats([max], [])]);
}

function unary(ctx: TfliteGraphContext, op: TfliteOperator, build: (x: string) => string): void {
  ctx.define(op.outputs[0], build(ctx.value(op.inputs[0])));
}

/** DEQUANTIZE of constant weights is folded: FLOAT16 widened, INT8/UINT8 scaled. */
function dequantize(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const input = ctx.tensor(op.inputs[0]);
  const output = op.outputs[0] as number;
  if (input.data === undefined) {
    throw ctx.error(
      `input "${input.name}" is computed, not a constant`,
      'only DEQUANTIZE of constant weights is supported',
    );
  }
  if (input.type === 'FLOAT16') {
    ctx.setConstant(output, { data: decodeFloat16(input.data), shape: input.shape });
    return;
  }
  const quantization = input.quantization;
  if ((input.type === 'INT8' || input.type === 'UINT8') && quantization !== undefined) {
    const signed = input.type === 'INT8';
    const { scale, zeroPoint, quantizedDimension } = quantization;
    const inner = input.shape.slice(quantizedDimension + 1).reduce((a, b) => a * b, 1);
    const channels = input.shape[quantizedDimension] ?? 1;
    const data = Float32Array.from(input.data, (byte, i) => {
      const q = signed ? (byte << 24) >> 24 : byte;
      const channel = scale.length > 1 ? Math.floor(i / inner) % channels : 0;
      return (q - (zeroPoint[channel] ?? 0)) * (scale[channel] as number);
    });
    ctx.setConstant(output, { data, shape: input.shape });
    return;
  }
  throw ctx.error(`cannot dequantize a ${input.type} tensor`, 'supported: FLOAT16, INT8, UINT8');
}

/** ONNX `pads` ([top, left, bottom, right]) of a TFLite SAME/VALID window over an NHWC input. */
function windowPads(
  ctx: TfliteGraphContext,
  padding: number,
  inputShape: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number] = [1, 1],
): number[] {
  if (padding === paddingValid) return [0, 0, 0, 0];
  if (padding !== paddingSame) throw ctx.error(`unknown padding ${padding}`);
  const [top, bottom] = samePadding(inputShape[1] as number, kernel[0], strides[0], dilations[0]);
  const [left, right] = samePadding(inputShape[2] as number, kernel[1], strides[1], dilations[1]);
  return [top, left, bottom, right];
}

function requireRank4(ctx: TfliteGraphContext, index: number | undefined, what: string): void {
  if (ctx.rank(index) !== 4) {
    throw ctx.error(`${what} must have rank 4 (NHWC)`, `shape [${ctx.shape(index).join(', ')}]`);
  }
}

function convInputs(
  ctx: TfliteGraphContext,
  op: TfliteOperator,
  weights: Float32Array,
  dims: number[],
) {
  const inputs = [ctx.value(op.inputs[0]), ctx.floats(weights, dims, 'tfl_weights')];
  const bias = op.inputs[2];
  if (bias !== undefined && bias >= 0) {
    inputs.push(ctx.floats(ctx.requireFloats(bias, 'bias'), [dims[0] as number], 'tfl_bias'));
  }
  return inputs;
}

/** CONV_2D: weights OHWI → OIHW; SAME padding as explicit (possibly asymmetric) pads. */
function conv2d(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const [input, weightsIndex] = op.inputs;
  requireRank4(ctx, input, 'the input');
  const inputShape = ctx.shape(input);
  const weights = ctx.requireFloats(weightsIndex, 'weights');
  const [outChannels, kh, kw, inChannels] = ctx.shape(weightsIndex) as [
    number,
    number,
    number,
    number,
  ];
  const strides = [option(ctx, op, 'stride_h'), option(ctx, op, 'stride_w')] as const;
  const dilations = [
    option(ctx, op, 'dilation_h_factor', 1),
    option(ctx, op, 'dilation_w_factor', 1),
  ] as const;
  const group = (inputShape[3] as number) / inChannels;
  if (!Number.isInteger(group)) throw ctx.error('input channels are not a multiple of the filter');
  const conv = ctx.g.op(
    'Conv',
    convInputs(ctx, op, transposeData(weights, [outChannels, kh, kw, inChannels], [0, 3, 1, 2]), [
      outChannels,
      inChannels,
      kh,
      kw,
    ]),
    {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(
        windowPads(ctx, option(ctx, op, 'padding'), inputShape, [kh, kw], strides, dilations),
      ),
      group: attr.int(group),
    },
  );
  ctx.define(op.outputs[0], activation(ctx, conv, option(ctx, op, 'fused_activation_function', 0)));
}

/** DEPTHWISE_CONV_2D: weights [1, kh, kw, C·M] → [C·M, 1, kh, kw], one group per input channel. */
function depthwiseConv2d(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const [input, weightsIndex] = op.inputs;
  requireRank4(ctx, input, 'the input');
  const inputShape = ctx.shape(input);
  const weights = ctx.requireFloats(weightsIndex, 'weights');
  const [, kh, kw, outChannels] = ctx.shape(weightsIndex) as [number, number, number, number];
  const strides = [option(ctx, op, 'stride_h'), option(ctx, op, 'stride_w')] as const;
  const dilations = [
    option(ctx, op, 'dilation_h_factor', 1),
    option(ctx, op, 'dilation_w_factor', 1),
  ] as const;
  const conv = ctx.g.op(
    'Conv',
    convInputs(ctx, op, transposeData(weights, [kh, kw, outChannels], [2, 0, 1]), [
      outChannels,
      1,
      kh,
      kw,
    ]),
    {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(strides),
      dilations: attr.ints(dilations),
      pads: attr.ints(
        windowPads(ctx, option(ctx, op, 'padding'), inputShape, [kh, kw], strides, dilations),
      ),
      group: attr.int(inputShape[3] as number),
    },
  );
  ctx.define(op.outputs[0], activation(ctx, conv, option(ctx, op, 'fused_activation_function', 0)));
}

type TransposeConvSpec = {
  input: number | undefined;
  weights: number | undefined;
  bias: number | undefined;
  padding: 'same' | 'valid';
  strideH: number;
  strideW: number;
  fusedActivation: number;
};

/**
 * A transposed convolution (weights OHWI → ONNX [I, O, kh, kw]). The output size is the TFLite
 * output tensor's; ONNX pads crop what the full scatter adds beyond it, split like SAME padding
 * (the smaller half first) or all at the end for VALID.
 */
function transposeConv(ctx: TfliteGraphContext, op: TfliteOperator, spec: TransposeConvSpec): void {
  requireRank4(ctx, spec.input, 'the input');
  const inputShape = ctx.shape(spec.input);
  const outputShape = ctx.shape(op.outputs[0]);
  const weights = ctx.requireFloats(spec.weights, 'weights');
  const [outChannels, kh, kw, inChannels] = ctx.shape(spec.weights) as [
    number,
    number,
    number,
    number,
  ];
  const pads = [0, 0, 0, 0];
  const outputPadding = [0, 0];
  [
    [1, kh, spec.strideH],
    [2, kw, spec.strideW],
  ].forEach(([axis, kernel, stride], i) => {
    const full =
      (stride as number) * ((inputShape[axis as number] as number) - 1) + (kernel as number);
    const total = full - (outputShape[axis as number] as number);
    if (total < 0) {
      outputPadding[i] = -total;
    } else {
      const before = spec.padding === 'same' ? Math.floor(total / 2) : 0;
      pads[i] = before;
      pads[i + 2] = total - before;
    }
  });
  const inputs = [
    ctx.value(spec.input),
    ctx.floats(
      transposeData(weights, [outChannels, kh, kw, inChannels], [3, 0, 1, 2]),
      [inChannels, outChannels, kh, kw],
      'tfl_weights',
    ),
  ];
  if (spec.bias !== undefined && spec.bias >= 0) {
    inputs.push(ctx.floats(ctx.requireFloats(spec.bias, 'bias'), [outChannels], 'tfl_bias'));
  }
  const conv = ctx.g.op('ConvTranspose', inputs, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([spec.strideH, spec.strideW]),
    pads: attr.ints(pads),
    output_padding: attr.ints(outputPadding),
  });
  ctx.define(op.outputs[0], activation(ctx, conv, spec.fusedActivation));
}

/**
 * MediaPipe's custom `Convolution2DTransposeBias` (inputs: input, weights OHWI, bias). Its custom
 * options are a raw `TfLiteTransposeConvParams` struct: int32 padding (1 SAME, 2 VALID),
 * stride_width, stride_height.
 */
function convolution2dTransposeBias(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const params = op.customOptions;
  if (params === undefined || params.byteLength < 12) {
    throw ctx.error('custom options must hold padding, stride_width and stride_height (int32)');
  }
  const view = new DataView(params.buffer, params.byteOffset, params.byteLength);
  const paddingCode = view.getInt32(0, true);
  if (paddingCode !== 1 && paddingCode !== 2) throw ctx.error(`unknown padding ${paddingCode}`);
  const [input, weights, bias] = op.inputs;
  transposeConv(ctx, op, {
    input,
    weights,
    bias,
    padding: paddingCode === 1 ? 'same' : 'valid',
    strideW: view.getInt32(4, true),
    strideH: view.getInt32(8, true),
    fusedActivation: 0,
  });
}

/** AVERAGE_POOL_2D / MAX_POOL_2D; a VALID window over the whole image becomes a global pool. */
function pool2d(ctx: TfliteGraphContext, op: TfliteOperator, kind: 'Average' | 'Max'): void {
  const input = op.inputs[0];
  requireRank4(ctx, input, 'the input');
  const inputShape = ctx.shape(input);
  const kernel = [option(ctx, op, 'filter_height'), option(ctx, op, 'filter_width')] as const;
  const strides = [option(ctx, op, 'stride_h'), option(ctx, op, 'stride_w')] as const;
  const padding = option(ctx, op, 'padding');
  const outputShape = ctx.shape(op.outputs[0]);
  const global =
    padding === paddingValid &&
    kernel[0] === inputShape[1] &&
    kernel[1] === inputShape[2] &&
    outputShape[1] === 1 &&
    outputShape[2] === 1;
  const pooled = global
    ? ctx.g.op(`Global${kind}Pool`, [ctx.value(input)])
    : ctx.g.op(`${kind}Pool`, [ctx.value(input)], {
        kernel_shape: attr.ints(kernel),
        strides: attr.ints(strides),
        // TFLite averages over the pixels inside the image only: count_include_pad stays 0.
        pads: attr.ints(windowPads(ctx, padding, inputShape, kernel, strides)),
      });
  ctx.define(
    op.outputs[0],
    activation(ctx, pooled, option(ctx, op, 'fused_activation_function', 0)),
  );
}

/** MEAN over constant axes. Without keep_dims a rank-4 input leaves NCHW when the order differs. */
function mean(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const [input, axesIndex] = op.inputs;
  const rank = ctx.rank(input);
  const axes = [...new Set(ctx.requireInts(axesIndex, 'axes').map((a) => (a < 0 ? a + rank : a)))];
  if (axes.some((axis) => axis < 0 || axis >= rank)) {
    throw ctx.error(`axes ${axes.join(', ')} are out of range for a rank-${rank} input`);
  }
  const keepDims = option(ctx, op, 'keep_dims', 0) === 1;
  if (rank !== 4) {
    const reduced = ctx.g.op('ReduceMean', [ctx.value(input)], {
      axes: attr.ints(axes),
      keepdims: attr.int(keepDims ? 1 : 0),
    });
    ctx.define(op.outputs[0], reduced);
    return;
  }
  // The axes left after reducing keep their NHWC order in NCHW when C goes or H and W both go.
  const sameOrder = axes.includes(3) || (axes.includes(1) && axes.includes(2));
  const direct = keepDims || sameOrder;
  const reduced = ctx.g.op('ReduceMean', [ctx.value(input)], {
    axes: attr.ints(axes.map(nchwAxis)),
    keepdims: attr.int(direct && !keepDims ? 0 : 1),
  });
  if (keepDims) ctx.define(op.outputs[0], reduced);
  else if (direct) ctx.define(op.outputs[0], reduced);
  else {
    const nhwc = ctx.transpose(reduced, nchwToNhwc);
    ctx.defineNhwc(op.outputs[0], ctx.g.op('Squeeze', [nhwc, ctx.int64s(axes)]));
  }
}

/** ADD / SUB / MUL with NumPy broadcasting and a fused activation. */
function binary(ctx: TfliteGraphContext, op: TfliteOperator, onnxOp: 'Add' | 'Sub' | 'Mul'): void {
  const output = op.outputs[0];
  const outputRank = ctx.rank(output);
  const operand = (index: number | undefined): string => {
    const rank = ctx.rank(index);
    const size = ctx.shape(index).reduce((a, b) => a * b, 1);
    const constant = ctx.constant(index);
    if (constant !== undefined && size === 1 && constant.data instanceof Float32Array) {
      return ctx.floats(constant.data, []); // a scalar broadcasts the same in any layout
    }
    if (outputRank !== 4 || rank === 4) return ctx.value(index);
    if (rank > 4) throw ctx.error(`a rank-${rank} operand cannot broadcast to a rank-4 output`);
    // A lower-rank operand broadcasts against NHWC's trailing axes: make it rank 4 first.
    const nhwcShape = [...new Array<number>(4 - rank).fill(1), ...ctx.shape(index)];
    const reshaped = ctx.g.op('Reshape', [ctx.value(index), ctx.int64s(nhwcShape)]);
    return ctx.transpose(reshaped, [0, 3, 1, 2]);
  };
  const result = ctx.g.op(onnxOp, [operand(op.inputs[0]), operand(op.inputs[1])]);
  ctx.define(output, activation(ctx, result, option(ctx, op, 'fused_activation_function', 0)));
}

/** RESIZE_BILINEAR to the constant size input, with TFLite's coordinate convention. */
function resize(ctx: TfliteGraphContext, op: TfliteOperator, mode: 'linear'): void {
  const [input, sizeIndex] = op.inputs;
  requireRank4(ctx, input, 'the input');
  const [newHeight, newWidth] = ctx.requireInts(sizeIndex, 'size') as [number, number];
  const [n, , , c] = ctx.shape(input) as [number, number, number, number];
  const alignCorners = option(ctx, op, 'align_corners', 0) === 1;
  const halfPixel = option(ctx, op, 'half_pixel_centers', 0) === 1;
  const resized = ctx.g.op(
    'Resize',
    [ctx.value(input), '', '', ctx.int64s([n, c, newHeight, newWidth])],
    {
      mode: attr.string(mode),
      coordinate_transformation_mode: attr.string(
        alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric',
      ),
    },
  );
  ctx.define(op.outputs[0], resized);
}

function concatenation(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const output = op.outputs[0];
  const rank = ctx.rank(output);
  const axis = option(ctx, op, 'axis');
  const positive = axis < 0 ? axis + rank : axis;
  const joined = ctx.g.op(
    'Concat',
    op.inputs.map((index) => ctx.value(index)),
    { axis: attr.int(rank === 4 ? nchwAxis(positive) : positive) },
  );
  ctx.define(output, activation(ctx, joined, option(ctx, op, 'fused_activation_function', 0)));
}

/** RESHAPE to the output tensor's static shape, in TFLite (NHWC) element order. */
function reshape(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const output = op.outputs[0];
  const reshaped = ctx.g.op('Reshape', [
    ctx.nhwcValue(op.inputs[0]),
    ctx.int64s(ctx.shape(output)),
  ]);
  ctx.defineNhwc(output, reshaped);
}

/** PAD with zeros; the paddings (`[rank, 2]`, before/after per axis) are permuted to NCHW. */
function pad(ctx: TfliteGraphContext, op: TfliteOperator): void {
  const [input, paddingsIndex] = op.inputs;
  const rank = ctx.rank(input);
  const paddings = ctx.requireInts(paddingsIndex, 'paddings');
  let before = paddings.filter((_, i) => i % 2 === 0);
  let after = paddings.filter((_, i) => i % 2 === 1);
  if (rank === 4) {
    before = permute(before, [0, 3, 1, 2]);
    after = permute(after, [0, 3, 1, 2]);
  }
  const padded = ctx.g.op('Pad', [ctx.value(input), ctx.int64s([...before, ...after])], {
    mode: attr.string('constant'),
  });
  ctx.define(op.outputs[0], padded);
}
