import { BaseError, type BaseErrorOptions } from '@peerframe/core/browser';

/**
 * What a message is, for the code of a `WireFormatError`: `invalid_request` for what a client
 * sent a server, `invalid_response` for what a server answered, `invalid_event` for a control
 * channel event, `invalid_payment` for payments and ticket params.
 */
export type WireFormatCode =
  | 'invalid_request'
  | 'invalid_response'
  | 'invalid_event'
  | 'invalid_payment';

/**
 * A message that crossed a process boundary without the shape its wire type promises. `field` is
 * the path of the first wrong field (`info.pipelines[2].priceWeiPerSecond`); the message names
 * it and what it must be.
 */
export class WireFormatError extends BaseError {
  override name = 'WireFormatError';
  override readonly code: WireFormatCode;
  readonly field: string;

  constructor(
    code: WireFormatCode,
    field: string,
    problem: string,
    options: BaseErrorOptions & { prefix?: string } = {},
  ) {
    super(code, `${options.prefix ?? ''}${field} ${problem}`, options);
    this.code = code;
    this.field = field;
  }
}

/** A payment or ticket params whose JSON does not have the expected shape. */
export class InvalidPaymentError extends WireFormatError {
  override name = 'InvalidPaymentError';

  constructor(field: string, problem: string) {
    super('invalid_payment', field, problem, { prefix: 'Invalid payment: ' });
  }
}

/** Params a pipeline does not accept (unknown names or bad values), or a schema that is none. */
export class InvalidPipelineParamsError extends BaseError {
  override name = 'InvalidPipelineParamsError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('invalid_pipeline_params', shortMessage, options);
  }
}

/** The error for a wrong field of a message of this kind (`InvalidPaymentError` for payments). */
export function wireFormatError(
  code: WireFormatCode,
  field: string,
  problem: string,
): WireFormatError {
  return code === 'invalid_payment'
    ? new InvalidPaymentError(field, problem)
    : new WireFormatError(code, field, problem);
}
