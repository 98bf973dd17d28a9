import type { OrchestratorPipelinesOptions } from '@peerframe/orchestrator';
import {
  ModelStore,
  parseExecutionProviderChoice,
  parsePipelineNodePolicy,
} from '@peerframe/pipelines';
import { defaultPipelinesDir } from './pipelineCommands.ts';

/** The orchestrator's pipeline flags, for `peerframe --help`. */
export const orchestratorPipelineFlagsUsage = `                                           --pipelines-dir <dir> (or PEERFRAME_PIPELINES_DIR;
                                           default ~/.peerframe/pipelines): installed pipelines,
                                           served and followed live (install, upgrade, remove)
                                           --allow-nodes <entry> (repeatable, or
                                           PEERFRAME_ALLOWED_NODES, comma-separated): installed
                                           packages whose own node code may run in this process:
                                           sha256:<package hash>, publisher:<name> or * (default
                                           none: such packages are listed in state error)
                                           --model-cache <dir> (or PEERFRAME_MODEL_CACHE; default
                                           ~/.peerframe/models): models fetched by URL at install
                                           --execution-provider auto|cuda|webgpu|cpu (or
                                           PEERFRAME_EXECUTION_PROVIDER; default auto: CUDA when
                                           its libraries load, else CPU)`;

/** `parseArgs` options of the flags above. */
export const orchestratorPipelineFlags = {
  'pipelines-dir': { type: 'string' },
  'allow-nodes': { type: 'string', multiple: true },
  'model-cache': { type: 'string' },
  'execution-provider': { type: 'string' },
} as const;

/** The pipelines an orchestrator serves, from its flags and environment. */
export function orchestratorPipelinesFromFlags(values: {
  'pipelines-dir'?: string | undefined;
  'allow-nodes'?: string[] | undefined;
  'model-cache'?: string | undefined;
  'execution-provider'?: string | undefined;
}): OrchestratorPipelinesOptions {
  const env = process.env;
  const allowNodes = values['allow-nodes'] ?? (env.PEERFRAME_ALLOWED_NODES ?? '').split(',');
  return {
    executionProvider: parseExecutionProviderChoice(
      values['execution-provider'] ?? env.PEERFRAME_EXECUTION_PROVIDER ?? 'auto',
    ),
    pipelinesDir: values['pipelines-dir'] ?? defaultPipelinesDir(),
    nodePolicy: parsePipelineNodePolicy(allowNodes),
    // Default `$PEERFRAME_MODEL_CACHE`, else ~/.peerframe/models (as `pipeline install`).
    modelStore: new ModelStore(values['model-cache']),
  };
}
