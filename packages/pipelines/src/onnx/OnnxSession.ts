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
import { OnnxGraphBuilder } from './OnnxGraphBuilder.ts';

/** An execution provider a session can run on. */
export type ExecutionProviderName = 'cuda' | 'webgpu' | 'cpu';

/**
 * Where a session runs: `'cpu'`; `'cuda'` or `'webgpu'` (fail with
 * `ExecutionProviderUnavailableError` where onnxruntime cannot use them); `'auto'` (CUDA, else
 * WebGPU, else CPU: the first that loads).
 */
export type ExecutionProviderChoice = ExecutionProviderName | 'auto';

export type OnnxSessionOptions = {
  /** Execution provider. Default `'cpu'`. Ignored when `executionProviders` is given. */
  executionProvider?: ExecutionProviderChoice;
  /**
   * Providers to try, in order of preference: the first that loads the model is used (each
   * failure is logged); when none does, `ExecutionProviderUnavailableError` lists why. End the
   * list with `'cpu'` for a fallback that always works. Default: from `executionProvider`.
   */
  executionProviders?: readonly ExecutionProviderName[];
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

/** The providers a choice stands for, in order. */
export function executionProvidersOf(choice: ExecutionProviderChoice): ExecutionProviderName[] {
  return choice === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [choice];
}

/** Whether WebGPU gives an adapter here: probed once per process with a one-node model. */
let webGpuProbe: Promise<string | undefined> | undefined;

/** Tensors by input or output name. */
export type OnnxTensors = Record<string, ort.Tensor>;

/**
 * One loaded onnxruntime inference session (graph optimisation level `all` unless asked).
 * Build with `OnnxSession.create(modelBytes, options)`; `close()` releases it and is idempotent.
 */
export class OnnxSession {
  /** The provider the session actually runs on. */
  readonly executionProvider: ExecutionProviderName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly #logger: Logger;
  #session: ort.InferenceSession | undefined;

  private constructor(
    session: ort.InferenceSession,
    executionProvider: ExecutionProviderName,
    logger: Logger,
  ) {
    this.#session = session;
    this.executionProvider = executionProvider;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    this.#logger = logger;
  }

  /**
   * Loads a model (ONNX `ModelProto` bytes, e.g. from `OnnxGraphBuilder.toBytes()`) on the first
   * provider of the preference list that works (see `OnnxSessionOptions.executionProviders`).
   * A GPU session lets onnxruntime place the operators its provider lacks on the CPU.
   */
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
    const candidates = options.executionProviders ?? executionProvidersOf(executionProvider);
    if (candidates.length === 0) {
      throw new OnnxSessionError('No execution provider to try', {
        details: 'executionProviders is empty',
      });
    }
    const failures: string[] = [];
    for (const [index, provider] of candidates.entries()) {
      const unavailable = await OnnxSession.unavailableReason(provider);
      if (unavailable !== undefined) {
        failures.push(`${provider}: ${unavailable}`);
        continue;
      }
      try {
        const session = await ort.InferenceSession.create(model, {
          executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
          graphOptimizationLevel,
          intraOpNumThreads,
          // Errors only: onnxruntime's warnings about third-party models (unused initializers)
          // would otherwise go to stderr on every session; failures still throw.
          logSeverityLevel: 3,
        });
        const chosen = { executionProvider: provider, intraOpNumThreads };
        if (provider === 'cpu' && index === 0) logger.debug(chosen, 'onnx session created');
        else logger.info({ ...chosen, passedOver: failures }, 'onnx session created');
        return new OnnxSession(session, provider, logger);
      } catch (cause) {
        if (provider === 'cpu') {
          throw new OnnxSessionError('onnxruntime could not load the model', {
            cause,
            details: String(cause),
          });
        }
        failures.push(`${provider}: ${String(cause)}`);
        logger.warn(
          { err: cause, executionProvider: provider },
          'execution provider failed to load',
        );
      }
    }
    throw new ExecutionProviderUnavailableError(candidates.join(', '), {
      details: failures.join('; '),
    });
  }

  /** Why `provider` cannot be used here, or undefined when it may be (CPU always may). */
  static async unavailableReason(provider: ExecutionProviderName): Promise<string | undefined> {
    if (provider === 'cpu') return undefined;
    if (provider === 'cuda') {
      return OnnxSession.isCudaAvailable()
        ? undefined
        : 'onnxruntime-node has no CUDA provider library on this machine (see the README)';
    }
    if (!ort.listSupportedBackends().some((backend) => backend.name === 'webgpu')) {
      return 'this onnxruntime-node build has no WebGPU provider';
    }
    webGpuProbe ??= probeWebGpu();
    return webGpuProbe;
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

/** Creates a session for a one-node model on WebGPU alone: the error when no adapter is found. */
async function probeWebGpu(): Promise<string | undefined> {
  const g = new OnnxGraphBuilder({ graphName: 'webgpu_probe' });
  const x = g.addInput('x', 'float32', [1]);
  g.addOutput(g.op('Relu', [x], {}, 'y'), 'float32', [1]);
  try {
    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: ['webgpu'],
    });
    await session.release();
    return undefined;
  } catch (error) {
    return String(error).split('\n')[0];
  }
}
