import { execFile } from 'node:child_process';
import type { ExecutionProviderName, WorkerDevice } from '@peerframe/wire';

/**
 * The device a worker's pipelines run on: with CUDA, the first GPU `nvidia-smi` names (its
 * model and memory); otherwise the CPU, memory unknown.
 */
export async function detectWorkerDevice(provider: ExecutionProviderName): Promise<WorkerDevice> {
  if (provider !== 'cuda') return { name: 'cpu', memoryBytes: null };
  const line = await new Promise<string | undefined>((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 5_000 },
      (error, stdout) => resolve(error ? undefined : stdout.split('\n')[0]),
    );
  });
  const [name, memoryMiB] = (line ?? '').split(',').map((part) => part.trim());
  const memory = Number(memoryMiB);
  return {
    name: name || 'cuda',
    memoryBytes: Number.isFinite(memory) && memory > 0 ? memory * 1024 * 1024 : null,
  };
}
