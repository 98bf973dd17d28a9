import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import {
  ExecutionProviderUnavailableError,
  OnnxSessionClosedError,
  OnnxSessionError,
} from './errors.ts';

/**
 * Where a session runs: `'cpu'`; `'cuda'` (fails with `ExecutionProviderUnavailableError` when
 * onnxruntime cannot load CUDA); `'auto'` (CUDA when it loads, else CPU).
 */
export type ExecutionProviderChoice = 'cpu' | 'cuda' | 'auto';

export type OnnxSessionOptions = {
  /** Execution provider. Default `'cpu'`. */
  executionProvider?: ExecutionProviderChoice;
  /** Threads one operator may use; 0 lets onnxruntime pick (one per physical core). Default 0. */
  intraOpNumThreads?: number;
  /**
   * onnxruntime graph optimisation level. Default `'all'`, which adds layout optimisations
   * (NCHWc blocked convolutions) that pay off for networks but pad a 1- or 2-channel
   * convolution, such as a blur, to 8 or 16 channels: use `'extended'` for such graphs.
   */
  graphOptimizationLevel?: 'basic' | 'extended' | 'all';
  /** Parent logger; a `onnx-session` child is made from it. Default: the `pipelines` logger. */
  logger?: Logger;
};

export const defaultOnnxSessionOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 0,
  graphOptimizationLevel: 'all',
} as const satisfies OnnxSessionOptions;

/** Tensors by input or output name. */
export type OnnxTensors = Record<string, ort.Tensor>;

/**
 * One loaded onnxruntime inference session (graph optimisation level `all` unless asked).
 * Build with `OnnxSession.create(modelBytes, options)`; `close()` releases it and is idempotent.
 */
export class OnnxSession {
  /** The provider the session actually runs on. */
  readonly executionProvider: 'cpu' | 'cuda';
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #logger: Logger;
  #session: ort.InferenceSession | undefined;

  private constructor(
    session: ort.InferenceSession,
    executionProvider: 'cpu' | 'cuda',
    logger: Logger,
  ) {
    this.#session = session;
    this.executionProvider = executionProvider;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    this.#logger = logger;
  }

  /** Loads a model (ONNX `ModelProto` bytes, e.g. from `OnnxGraphBuilder.toBytes()`). */
  static async create(model: Uint8Array, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const { executionProvider, intraOpNumThreads, graphOptimizationLevel } = {
      ...defaultOnnxSessionOptions,
      ...options,
    };
    const logger = (options.logger ?? createLogger('pipelines')).child({ name: 'onnx-session' });
    if (!Number.isInteger(intraOpNumThreads) || intraOpNumThreads < 0) {
      throw new OnnxSessionError('Invalid intraOpNumThreads', {
        details: `got ${intraOpNumThreads}; expected an integer >= 0`,
      });
    }
    const sessionOptions = (providers: string[]): ort.InferenceSession.SessionOptions => ({
      executionProviders: providers,
      graphOptimizationLevel,
      intraOpNumThreads,
    });

    if (executionProvider !== 'cpu') {
      if (!OnnxSession.isCudaAvailable()) {
        if (executionProvider === 'cuda') {
          throw new ExecutionProviderUnavailableError('cuda', {
            details: 'onnxruntime-node has no CUDA provider library on this machine',
          });
        }
      } else {
        try {
          const session = await ort.InferenceSession.create(model, sessionOptions(['cuda', 'cpu']));
          logger.info({ executionProvider: 'cuda' }, 'onnx session created');
          return new OnnxSession(session, 'cuda', logger);
        } catch (cause) {
          if (executionProvider === 'cuda') {
            throw new ExecutionProviderUnavailableError('cuda', { cause, details: String(cause) });
          }
          logger.warn({ err: cause }, 'CUDA execution provider failed to load; using CPU');
        }
      }
    }

    try {
      const session = await ort.InferenceSession.create(model, sessionOptions(['cpu']));
      logger.debug({ executionProvider: 'cpu', intraOpNumThreads }, 'onnx session created');
      return new OnnxSession(session, 'cpu', logger);
    } catch (cause) {
      throw new OnnxSessionError('onnxruntime could not load the model', {
        cause,
        details: String(cause),
      });
    }
  }

  /**
   * Whether onnxruntime-node on this machine can try CUDA: the platform build supports it and its
   * provider library has been installed beside the binding (it is not bundled by default).
   */
  static isCudaAvailable(): boolean {
    if (!ort.listSupportedBackends().some((backend) => backend.name === 'cuda')) return false;
    const bindingDir = join(
      dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
      '..',
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
    );
    const library =
      process.platform === 'win32'
        ? 'onnxruntime_providers_cuda.dll'
        : 'libonnxruntime_providers_cuda.so';
    // If the package layout ever changes, let onnxruntime itself decide.
    return !existsSync(bindingDir) || existsSync(join(bindingDir, library));
  }

  get closed(): boolean {
    return this.#session === undefined;
  }

  /**
   * Runs the model. `fetches` may name pre-allocated output tensors that onnxruntime writes into
   * (CPU only), which saves a copy when the caller wants outputs in a buffer of its own.
   */
  async run(feeds: OnnxTensors, fetches?: OnnxTensors): Promise<OnnxTensors> {
    const session = this.#session;
    if (session === undefined) throw new OnnxSessionClosedError();
    try {
      return fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches);
    } catch (cause) {
      throw new OnnxSessionError('onnxruntime failed to run the model', {
        cause,
        details: String(cause),
      });
    }
  }

  /** Releases the session. Idempotent. */
  async close(): Promise<void> {
    const session = this.#session;
    if (session === undefined) return;
    this.#session = undefined;
    await session.release();
    this.#logger.debug('onnx session released');
  }
}
