/**
 * Builtin options of an operator with their schema.fbs field names (`padding`, `stride_w`,
 * `fused_activation_function`, …); enums stay numbers. Absent fields take the schema default.
 */
export type TfliteOptions = Readonly<Record<string, number | boolean | readonly number[]>>;

/** `tflite.TensorType` names by number (schema.fbs). */
export const tfliteTensorTypes = [
  'FLOAT32',
  'FLOAT16',
  'INT32',
  'UINT8',
  'INT64',
  'STRING',
  'BOOL',
  'INT16',
  'COMPLEX64',
  'INT8',
  'FLOAT64',
] as const;

export type TfliteTensorType = (typeof tfliteTensorTypes)[number] | `TYPE_${number}`;

/** `tflite.BuiltinOperator` names by number (schema.fbs), for error messages and the op map. */
export const tfliteBuiltinOperators: readonly string[] = `
  ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE
  EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D
  LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1
  RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM
  CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND
  SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE
  BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM
  CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE
  SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW
  ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK
  REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR
  LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS
  WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE
  NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM
  BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D
`
  .trim()
  .split(/\s+/);

/** The name of a builtin operator code (`BUILTIN_<n>` past the names this table knows). */
export function tfliteBuiltinOperatorName(code: number): string {
  return tfliteBuiltinOperators[code] ?? `BUILTIN_${code}`;
}

/** One tensor of the subgraph. */
export type TfliteTensor = {
  readonly index: number;
  readonly name: string;
  /** Static shape, TFLite order (NHWC for images). */
  readonly shape: readonly number[];
  readonly type: TfliteTensorType;
  /** Constant data (a view of the file), or undefined for activations. */
  readonly data: Uint8Array | undefined;
  /** Per-tensor or per-channel quantisation, when present. */
  readonly quantization: TfliteQuantization | undefined;
};

export type TfliteQuantization = {
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly quantizedDimension: number;
};

/** One operator of the subgraph, in execution order. */
export type TfliteOperator = {
  readonly index: number;
  /** Builtin name (`'CONV_2D'`), or the custom code for `CUSTOM` operators. */
  readonly opName: string;
  readonly builtinCode: number;
  /** Tensor indices; -1 marks an optional input left out. */
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The decoded `builtin_options` table (`{}` when absent or of a kind the parser skips). */
  readonly options: TfliteOptions;
  /** Raw `custom_options` bytes of a custom operator. */
  readonly customOptions: Uint8Array | undefined;
};

/** The first subgraph of a TFLite model: what a single-signature model such as MediaPipe's is. */
export type TfliteModel = {
  readonly version: number;
  readonly description: string;
  readonly tensors: readonly TfliteTensor[];
  readonly operators: readonly TfliteOperator[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
};
