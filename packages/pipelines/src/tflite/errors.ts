import { BaseError, type BaseErrorOptions } from '@peerframe/core';

/** The bytes are not a TFLite model this parser can read (wrong identifier, corrupt FlatBuffer). */
export class TfliteParseError extends BaseError {
  override name = 'TfliteParseError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('tflite_parse_failed', shortMessage, options);
  }
}

/** The model uses an operator the converter has no ONNX mapping for. Names the operator. */
export class UnsupportedTfliteOpError extends BaseError {
  override name = 'UnsupportedTfliteOpError';
  /** The builtin operator name (`'SQUARED_DIFFERENCE'`) or the custom code. */
  readonly opName: string;
  /** Index of the first operator of that kind in the subgraph. */
  readonly operatorIndex: number;

  constructor(opName: string, operatorIndex: number, supported: readonly string[]) {
    super(
      'tflite_op_unsupported',
      `Unsupported TFLite operator ${opName} (operator #${operatorIndex})`,
      { details: `the converter maps: ${supported.join(', ')}` },
    );
    this.opName = opName;
    this.operatorIndex = operatorIndex;
  }
}

/**
 * A supported operator is used in a way the converter does not handle (a fused activation it
 * does not know, an unexpected tensor type or rank, a dynamic shape).
 */
export class TfliteConversionError extends BaseError {
  override name = 'TfliteConversionError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('tflite_conversion_failed', shortMessage, options);
  }
}
