import { BaseError, type BaseErrorOptions } from '@peerframe/core';

/** A model being built is malformed: an unknown value name, a duplicate, a bad tensor or field. */
export class OnnxModelError extends BaseError {
  override name = 'OnnxModelError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('onnx_model_invalid', shortMessage, options);
  }
}

/** onnxruntime refused to load a model or failed to run it. */
export class OnnxSessionError extends BaseError {
  override name = 'OnnxSessionError';

  constructor(shortMessage: string, options: BaseErrorOptions = {}) {
    super('onnx_session_failed', shortMessage, options);
  }
}

/** `run()` was called on a session after `close()`. */
export class OnnxSessionClosedError extends BaseError {
  override name = 'OnnxSessionClosedError';

  constructor() {
    super('onnx_session_closed', 'The ONNX session is closed');
  }
}

/**
 * None of the execution providers asked for can be used here (`executionProvider` names them;
 * `details` says why for each). CPU never fails this way.
 */
export class ExecutionProviderUnavailableError extends BaseError {
  override name = 'ExecutionProviderUnavailableError';
  readonly executionProvider: string;

  constructor(executionProvider: string, options: BaseErrorOptions = {}) {
    super(
      'execution_provider_unavailable',
      `The ${executionProvider} execution provider is not available`,
      options,
    );
    this.executionProvider = executionProvider;
  }
}
