import { executionProviderUnavailableReason, installCudaProvider } from '@peerframe/pipelines';

export const installCudaUsage = `  install-cuda    fetch onnxruntime-node's CUDA 12 provider libraries (Linux x64, needs the
                  network), then check that a CUDA session loads; orchestrators then run on
                  CUDA with --execution-provider auto (the default) or cuda`;

/**
 * `peerframe install-cuda`: onnxruntime-node's own install script, told to fetch the CUDA 12
 * provider (this repository's .npmrc skips that at `npm install`, which keeps offline installs
 * working), then a one-node CUDA session as the proof. 0 when CUDA sessions load, 1 otherwise
 * (the reason printed).
 */
export async function runInstallCuda(
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    out(
      `install-cuda: onnxruntime-node ships CUDA providers for Linux x64 only (this is ${process.platform}/${process.arch})\n`,
    );
    return 1;
  }
  const result = await installCudaProvider(out);
  if (result.exitCode !== 0 || !result.installed) {
    out(
      `install-cuda: the CUDA provider libraries were not installed in ${result.bindingDir} (exit ${result.exitCode})\n`,
    );
    return 1;
  }
  const reason = await executionProviderUnavailableReason('cuda');
  if (reason !== undefined) {
    out(
      `install-cuda: the provider libraries are in ${result.bindingDir}, but a CUDA session does not load: ${reason}\n(needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the library path)\n`,
    );
    return 1;
  }
  out(
    'install-cuda: CUDA sessions load: orchestrators run on CUDA (--execution-provider auto or cuda)\n',
  );
  return 0;
}
