import { createLogger, type Logger } from '@peerframe/core';
import {
  defaultPipelineRegistry,
  type ExecutionProviderChoice,
  InstalledPipelines,
  ModelStore,
  type PipelineNodePolicy,
  type PipelineRegistry,
  parsePipelineNodePolicy,
  selectExecutionProvider,
} from '@peerframe/pipelines';
import type { ExecutionProviderInfo } from '@peerframe/wire';
import type { InferenceThreadPoolOptions } from './inference/InferenceThreadPool.ts';
import { ThreadedPipelineRegistry } from './inference/ThreadedPipelineRegistry.ts';

export type OrchestratorPipelinesOptions = {
  /** Where ONNX sessions run (`--execution-provider`). Default `'auto'`: CUDA when it loads, else CPU. */
  executionProvider?: ExecutionProviderChoice;
  /**
   * The folder of installed pipelines to serve and follow (`--pipelines-dir`); made if missing.
   * Default none: the shipped pipelines only.
   */
  pipelinesDir?: string;
  /** Which installed packages may run their own node code here. Default: none may. */
  nodePolicy?: PipelineNodePolicy;
  /** Where models given by URL were fetched at install. Default `new ModelStore()`. */
  modelStore?: ModelStore;
  /** Inference threads started ahead of need (`InferenceThreadPool`; default 1 spare). */
  inferenceThreads?: InferenceThreadPoolOptions;
  logger?: Logger;
};

/** The pipelines an orchestrator serves: its registry, the installed folder it follows. */
export type OrchestratorPipelines = {
  readonly registry: PipelineRegistry;
  readonly executionProvider: ExecutionProviderInfo;
  readonly installed: InstalledPipelines | undefined;
  /** Stops following the folder and closes the registry's warmed pipelines. Idempotent. */
  close(): Promise<void>;
};

/**
 * The shipped pipelines plus, with `pipelinesDir`, every pipeline installed there (loaded and
 * warmed at start, then whenever the folder changes), all on one execution provider choice. The
 * choice is resolved once and logged with the reason for each provider passed over.
 */
export async function createOrchestratorPipelines(
  options: OrchestratorPipelinesOptions = {},
): Promise<OrchestratorPipelines> {
  const logger = (options.logger ?? createLogger('orchestrator')).child({ name: 'pipelines' });
  const requested = options.executionProvider ?? 'auto';
  const selection = await selectExecutionProvider(requested);
  const executionProvider: ExecutionProviderInfo = {
    requested,
    selected: selection.executionProvider,
    passedOver: [...selection.passedOver],
  };
  logger[selection.passedOver.length > 0 && requested !== 'auto' ? 'warn' : 'info'](
    executionProvider,
    `ONNX sessions run on ${selection.executionProvider}`,
  );
  const workflows = { sessionOptions: { executionProvider: requested, intraOpNumThreads: 1 } };
  const nodePolicy = options.nodePolicy ?? parsePipelineNodePolicy([]);
  const modelStore = options.modelStore ?? new ModelStore();
  // Video pipelines are built and run on inference threads, loaded there from their folders.
  const registry = new ThreadedPipelineRegistry(
    { ...workflows, nodePolicy, modelStoreDir: modelStore.dir },
    { logger, ...(options.inferenceThreads ? { threads: options.inferenceThreads } : {}) },
  );
  for (const descriptor of defaultPipelineRegistry({ workflows, logger }).descriptors()) {
    registry.register(descriptor);
  }
  let installed: InstalledPipelines | undefined;
  if (options.pipelinesDir !== undefined) {
    installed = await InstalledPipelines.start({
      dir: options.pipelinesDir,
      registry,
      workflows,
      load: { nodePolicy, modelStore },
      logger,
    });
  }
  let closed = false;
  return {
    registry,
    executionProvider,
    installed,
    async close() {
      if (closed) return;
      closed = true;
      await installed?.close();
      await registry.close();
    },
  };
}
