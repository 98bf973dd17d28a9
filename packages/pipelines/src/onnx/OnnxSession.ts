import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import {
  ExecutionProviderUnavailableError,
  OnnxSessionClosedError,
  OnnxSessionError,
} from './errors.ts';
import {
  cudaProviderLibraryInstalled,
  type ExecutionProviderChoice,
  type ExecutionProviderName,
  executionProvidersOf,
  executionProviderUnavailableReason,
} from './executionProviders.ts';

export type { ExecutionProviderChoice, ExecutionProviderName };

/** Where onnxruntime leaves an output: host memory, or the GPU (WebGPU sessions only). */
export type OutputLocation = 'cpu' | 'gpu-buffer';

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
   * convolution with constant weights, such as a Sobel, to 8 or 16 channels: use `'extended'`
   * for such graphs (Convs whose weights are graph inputs, as the blurs', are left alone).
   */
  graphOptimizationLevel?: 'basic' | 'extended' | 'all';
  /**
   * Outputs to leave on the GPU (`'gpu-buffer'`), by name, so that a later session can take them
   * as inputs without a copy through host memory (onnxruntime's IO binding). onnxruntime-node
   * binds GPU outputs for its WebGPU provider only: on CUDA and CPU this is ignored (outputs come
   * back in host memory). Default: none.
   */
  outputLocations?: Readonly<Record<string, OutputLocation>>;
  /**
   * onnxruntime's QDQ transformations (QuantizeLinear/DequantizeLinear fusion and propagation).
   * Default true: a quantized model needs them. Graphs that use QuantizeLinear only to round and
   * clip floats to bytes (the workflows' own graphs) turn them off: they gain nothing there, and
   * their moving a QuantizeLinear above a Reshape leaves the Reshape last, which copies the
   * plane again when it is a graph output (0.2 ms a frame for a 1280×720 luma plane).
   */
  qdqTransforms?: boolean;
  /** Parent logger; a `onnx-session` child is made from it. Default: the `pipelines` logger. */
  logger?: Logger;
};

export const defaultOnnxSessionOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 0,
  graphOptimizationLevel: 'all',
  qdqTransforms: true,
} as const satisfies OnnxSessionOptions;

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
  /** Outputs onnxruntime leaves on the GPU (see `OnnxSessionOptions.outputLocations`). */
  readonly gpuOutputs: ReadonlySet<string>;
  readonly #logger: Logger;
  #session: ort.InferenceSession | undefined;

  private constructor(
    session: ort.InferenceSession,
    executionProvider: ExecutionProviderName,
    gpuOutputs: ReadonlySet<string>,
    logger: Logger,
  ) {
    this.#session = session;
    this.executionProvider = executionProvider;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    this.gpuOutputs = gpuOutputs;
    this.#logger = logger;
  }

  /**
   * Loads a model (ONNX `ModelProto` bytes, e.g. from `OnnxGraphBuilder.toBytes()`) on the first
   * provider of the preference list that works (see `OnnxSessionOptions.executionProviders`).
   * A GPU session lets onnxruntime place the operators its provider lacks on the CPU.
   */
  static async create(model: Uint8Array, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const { executionProvider, intraOpNumThreads, graphOptimizationLevel, qdqTransforms } = {
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
      // onnxruntime-node binds GPU outputs as WebGPU buffers: only a WebGPU session can have them.
      const gpuOutputs = new Set(
        provider === 'webgpu'
          ? Object.entries(options.outputLocations ?? {})
              .filter(([, location]) => location === 'gpu-buffer')
              .map(([name]) => name)
          : [],
      );
      try {
        const session = await ort.InferenceSession.create(model, {
          executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
          graphOptimizationLevel,
          intraOpNumThreads,
          // Errors only: onnxruntime's warnings about third-party models (unused initializers)
          // would otherwise go to stderr on every session; failures still throw.
          logSeverityLevel: 3,
          ...(qdqTransforms ? {} : { extra: { session: { disable_quant_qdq: '1' } } }),
          ...(gpuOutputs.size === 0
            ? {}
            : { preferredOutputLocation: outputLocationsFor(options, gpuOutputs) }),
        });
        const chosen = { executionProvider: provider, intraOpNumThreads };
        // A fallback is worth an info line once per process; the rest is debug.
        const key = `${candidates.join()}>${provider}`;
        if (index > 0 && !reportedFallbacks.has(key)) {
          reportedFallbacks.add(key);
          logger.info({ ...chosen, passedOver: failures }, 'onnx session created');
        } else {
          logger.debug({ ...chosen, passedOver: failures }, 'onnx session created');
        }
        return new OnnxSession(session, provider, gpuOutputs, logger);
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
  static unavailableReason(provider: ExecutionProviderName): Promise<string | undefined> {
    return executionProviderUnavailableReason(provider);
  }

  /**
   * Whether onnxruntime-node on this machine can try CUDA: the platform build supports it and its
   * provider library has been installed beside the binding (it is not bundled by default).
   */
  static isCudaAvailable(): boolean {
    return (
      ort.listSupportedBackends().some((backend) => backend.name === 'cuda') &&
      cudaProviderLibraryInstalled()
    );
  }

  get closed(): boolean {
    return this.#session === undefined;
  }

  /**
   * Runs the model. `fetches` may name pre-allocated output tensors that onnxruntime writes into
   * (CPU only), which saves a copy when the caller wants outputs in a buffer of its own; a session
   * with GPU outputs (`gpuOutputs`) takes none (onnxruntime's IO binding allocates every output).
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

/** Fallbacks already reported at info level in this process. */
const reportedFallbacks = new Set<string>();

/**
 * `preferredOutputLocation` for onnxruntime: the outputs named in `outputLocations` (a caller that
 * asks for GPU outputs names every output of its model), GPU ones as `gpu-buffer`.
 */
function outputLocationsFor(
  options: OnnxSessionOptions,
  gpuOutputs: ReadonlySet<string>,
): Record<string, OutputLocation> {
  const locations: Record<string, OutputLocation> = {};
  for (const name of Object.keys(options.outputLocations ?? {})) {
    locations[name] = gpuOutputs.has(name) ? 'gpu-buffer' : 'cpu';
  }
  return locations;
}
