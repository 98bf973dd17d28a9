import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cudaProviderLibraryInstalled, onnxruntimeBindingDir } from './executionProviders.ts';

/** What `installCudaProvider` did. */
export type CudaProviderInstall = {
  /** The exit code of onnxruntime-node's install script. */
  readonly exitCode: number;
  /** Whether the CUDA provider library is now beside onnxruntime-node's binding. */
  readonly installed: boolean;
  /** Where onnxruntime-node's binding (and the provider libraries) are. */
  readonly bindingDir: string;
};

/**
 * Fetches onnxruntime-node's CUDA 12 provider libraries (from NuGet, as its own install script
 * does) into its binding folder, on Linux x64. It runs that script with
 * `ONNXRUNTIME_NODE_INSTALL=1` (install what this platform lacks, now) in its environment, which
 * wins over the `onnxruntime-node-install=skip` of this repository's `.npmrc` (the skip keeps
 * `npm install` working offline; it also kept `ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild`
 * from doing anything). onnxruntime-node 1.30 reads `=cuda12` as "not set", and exits early when
 * it thinks it runs in its own source tree (npm's `npm_config_local_prefix` and
 * `npm_package_json` agreeing, as they do under `npm run`): both are avoided. The script's output
 * goes to `output`. The CUDA and cuDNN libraries themselves come from the machine (CUDA 12
 * driver and toolkit, cuDNN 9).
 */
export async function installCudaProvider(
  output: (text: string) => void = (text) => process.stdout.write(text),
): Promise<CudaProviderInstall> {
  const packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  const script = join(dirname(packageJson), 'script', 'install.js');
  const env: NodeJS.ProcessEnv = { ...process.env, ONNXRUNTIME_NODE_INSTALL: '1' };
  for (const name of [
    'npm_config_onnxruntime_node_install',
    'ONNXRUNTIME_NODE_INSTALL_CUDA',
    'npm_config_local_prefix',
    'npm_package_json',
  ]) {
    delete env[name];
  }
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: dirname(packageJson),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output(chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
  return {
    exitCode,
    installed: cudaProviderLibraryInstalled(),
    bindingDir: onnxruntimeBindingDir(),
  };
}
