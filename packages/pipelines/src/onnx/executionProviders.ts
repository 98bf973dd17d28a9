import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BaseError } from '@peerframe/core';
import type { ExecutionProviderChoice, ExecutionProviderName } from '@peerframe/wire';
import * as ort from 'onnxruntime-node';
import { OnnxGraphBuilder } from './OnnxGraphBuilder.ts';

/**
 * An execution provider a session can run on (`'cuda' | 'webgpu' | 'cpu'`), and where sessions
 * run (`ExecutionProviderChoice`): a provider by name (`'cuda'` or `'webgpu'` fail with
 * `ExecutionProviderUnavailableError` where onnxruntime cannot use them), or `'auto'`: CUDA when
 * its libraries load, else CPU. WebGPU is never picked by `'auto'`: it has not run in this project
 * on a real adapter yet, so it is only used when asked for by name. Both are `@peerframe/wire`'s:
 * an orchestrator's `/info` shows them.
 */
export type { ExecutionProviderChoice, ExecutionProviderName };

export const executionProviderChoices: readonly ExecutionProviderChoice[] = [
  'auto',
  'cuda',
  'webgpu',
  'cpu',
];

/** A `--execution-provider` value (or `PEERFRAME_EXECUTION_PROVIDER`) that is none of the choices. */
export class InvalidExecutionProviderError extends BaseError {
  override name = 'InvalidExecutionProviderError';

  constructor(value: string) {
    super('invalid_execution_provider', `Unknown execution provider "${value}"`, {
      details: `choose one of ${executionProviderChoices.join(', ')}`,
    });
  }
}

/** `value` as a choice, or `InvalidExecutionProviderError` naming the choices. */
export function parseExecutionProviderChoice(value: string): ExecutionProviderChoice {
  const choice = executionProviderChoices.find((c) => c === value);
  if (choice === undefined) throw new InvalidExecutionProviderError(value);
  return choice;
}

/** The providers a choice stands for, in order of preference. */
export function executionProvidersOf(choice: ExecutionProviderChoice): ExecutionProviderName[] {
  return choice === 'auto' ? ['cuda', 'cpu'] : [choice];
}

/** Per process: whether a one-node session loads on each GPU provider (the reason when not). */
const probes = new Map<ExecutionProviderName, Promise<string | undefined>>();

/**
 * Why `provider` cannot be used here, or undefined when it can (CPU always can). CUDA needs its
 * provider library beside onnxruntime-node's binding (`peerframe install-cuda` fetches it) and
 * then the CUDA and cuDNN libraries it links to; WebGPU needs a GPU adapter. Each is probed once
 * per process by creating a session on that provider alone.
 */
export async function executionProviderUnavailableReason(
  provider: ExecutionProviderName,
): Promise<string | undefined> {
  if (provider === 'cpu') return undefined;
  if (!ort.listSupportedBackends().some((backend) => backend.name === provider)) {
    return `this onnxruntime-node build has no ${provider} provider`;
  }
  if (provider === 'cuda' && !cudaProviderLibraryInstalled()) {
    return 'onnxruntime-node has no CUDA provider library on this machine (run `peerframe install-cuda`)';
  }
  let probe = probes.get(provider);
  if (probe === undefined) {
    probe = probeProvider(provider);
    probes.set(provider, probe);
  }
  return probe;
}

/** The folder of onnxruntime-node's native binding for this platform. */
export function onnxruntimeBindingDir(): string {
  return join(
    dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
}

/** Whether onnxruntime-node's CUDA provider library is installed beside its binding. */
export function cudaProviderLibraryInstalled(): boolean {
  const library =
    process.platform === 'win32'
      ? 'onnxruntime_providers_cuda.dll'
      : 'libonnxruntime_providers_cuda.so';
  const bindingDir = onnxruntimeBindingDir();
  // If the package layout ever changes, let onnxruntime itself decide (the probe does).
  return !existsSync(bindingDir) || existsSync(join(bindingDir, library));
}

/** A session on `provider` alone for a one-node model: the first line of its error, if any. */
async function probeProvider(provider: ExecutionProviderName): Promise<string | undefined> {
  const g = new OnnxGraphBuilder({ graphName: `${provider}_probe` });
  const x = g.addInput('x', 'float32', [1]);
  g.addOutput(g.op('Relu', [x], {}, 'y'), 'float32', [1]);
  try {
    const session = await ort.InferenceSession.create(g.toBytes(), {
      executionProviders: [provider],
      logSeverityLevel: 3,
    });
    await session.release();
    return undefined;
  } catch (error) {
    return String(error).split('\n')[0];
  }
}

/** The provider sessions will use for a choice, and why each one before it was passed over. */
export type ExecutionProviderSelection = {
  readonly executionProvider: ExecutionProviderName;
  /** `"<provider>: <reason>"` for each preferred provider that cannot be used here. */
  readonly passedOver: readonly string[];
};

/**
 * The first provider of `candidates` (or of a choice) that can be used here; when none can, the
 * last one (whose sessions then fail with `ExecutionProviderUnavailableError`, naming why).
 */
export async function selectExecutionProvider(
  candidates: ExecutionProviderChoice | readonly ExecutionProviderName[],
): Promise<ExecutionProviderSelection> {
  const list = typeof candidates === 'string' ? executionProvidersOf(candidates) : candidates;
  const passedOver: string[] = [];
  for (const provider of list) {
    const reason = await executionProviderUnavailableReason(provider);
    if (reason === undefined) return { executionProvider: provider, passedOver };
    passedOver.push(`${provider}: ${reason}`);
  }
  return { executionProvider: list.at(-1) ?? 'cpu', passedOver };
}
