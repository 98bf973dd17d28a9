import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OrchestratorInfo, parseOrchestratorInfo } from '@peerframe/wire';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCustomNodePackage } from '../../packages/pipelines/fixtures/customNodePackage.ts';
import { installPipeline } from '../../packages/pipelines/src/manifest/pipelinePackages.ts';
import { executionProviderUnavailableReason } from '../../packages/pipelines/src/onnx/executionProviders.ts';
import {
  type PeerframeProcess,
  runPeerframe,
  startPeerframe,
} from '../helpers/peerframeProcess.ts';

// Issue 15: the orchestrator ignored PEERFRAME_PIPELINES_DIR and had no way to choose an execution
// provider. Here `peerframe orchestrator` is configured by its environment alone (as `npm start`
// and a service manager configure it), and by flags, which win over the environment.

const root = mkdtempSync(join(tmpdir(), 'peerframe-orchestrator-flags-'));
const running: PeerframeProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map((node) => node.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** `peerframe orchestrator` on a free port, its URL once it listens (its info log says it). */
async function startOrchestrator(
  args: string[],
  env: Record<string, string>,
): Promise<{ node: PeerframeProcess; url: string }> {
  const node = startPeerframe(['orchestrator', '--host', '127.0.0.1', '--port', '0', ...args], {
    PEERFRAME_LOG_LEVEL: 'info',
    ...env,
  });
  running.push(node);
  const listening = await node.waitFor(
    /"url":"(http:[^"]+)"[^\n]*"msg":"orchestrator listening"/,
    60_000,
  );
  if (!Array.isArray(listening)) throw new Error(`orchestrator exited: ${node.stderr()}`);
  return { node, url: listening[1] as string };
}

async function infoOf(url: string): Promise<OrchestratorInfo> {
  return parseOrchestratorInfo(await (await fetch(`${url}/info`)).json());
}

describe('peerframe orchestrator: pipelines and execution provider from its environment and flags', () => {
  it('serves the installed pipelines of PEERFRAME_PIPELINES_DIR on PEERFRAME_EXECUTION_PROVIDER, logging why a provider was passed over', async () => {
    const pipelinesDir = join(root, 'env', 'pipelines');
    const pkg = await writeCustomNodePackage(join(root, 'env', 'src'));
    const installed = await installPipeline(pkg.dir, pipelinesDir);
    const cudaMissing = await executionProviderUnavailableReason('cuda');
    const { node, url } = await startOrchestrator([], {
      PEERFRAME_PIPELINES_DIR: pipelinesDir,
      PEERFRAME_ALLOWED_NODES: `publisher:nobody,sha256:${installed.packageSha256}`,
      PEERFRAME_MODEL_CACHE: join(root, 'env', 'models'),
      PEERFRAME_EXECUTION_PROVIDER: 'auto',
    });
    const info = await infoOf(url);
    const selected = cudaMissing === undefined ? 'cuda' : 'cpu';
    expect(info.executionProvider).toEqual({
      requested: 'auto',
      selected,
      passedOver: cudaMissing === undefined ? [] : [`cuda: ${cudaMissing}`],
    });
    if (cudaMissing !== undefined) {
      // The fallback and its reason, logged once at start.
      expect(node.stdout()).toMatch(
        /"passedOver":\["cuda: [^"]+"\][^\n]*"msg":"ONNX sessions run on cpu"/,
      );
    }
    await expect
      .poll(async () => (await infoOf(url)).pipelines.find((p) => p.name === 'luma-curve'), {
        timeout: 30_000,
        interval: 100,
      })
      .toMatchObject({ version: '1.0.0', state: 'ready', executionProviders: [selected] });
  });

  it('takes flags over the environment; --execution-provider cuda where CUDA does not load fails its pipelines clearly', async () => {
    const cudaMissing = await executionProviderUnavailableReason('cuda');
    const env = {
      PEERFRAME_PIPELINES_DIR: join(root, 'flags', 'pipelines'),
      // Not a provider: the flag below must win, or the node would not start.
      PEERFRAME_EXECUTION_PROVIDER: 'gpu',
    };
    const cpu = await startOrchestrator(['--execution-provider', 'cpu'], env);
    expect((await infoOf(cpu.url)).executionProvider).toEqual({
      requested: 'cpu',
      selected: 'cpu',
      passedOver: [],
    });
    await cpu.node.stop();
    if (cudaMissing === undefined) return; // On a machine where CUDA loads, nothing fails.
    const cuda = await startOrchestrator(
      ['--execution-provider', 'cuda', '--warmup', 'invert'],
      env,
    );
    expect((await infoOf(cuda.url)).executionProvider).toEqual({
      requested: 'cuda',
      selected: 'cuda',
      passedOver: [`cuda: ${cudaMissing}`],
    });
    expect(cuda.node.stdout()).toMatch(/"level":40[^\n]*"msg":"ONNX sessions run on cuda"/);
    await expect
      .poll(async () => (await infoOf(cuda.url)).pipelines.find((p) => p.name === 'invert'), {
        timeout: 30_000,
        interval: 100,
      })
      .toMatchObject({ state: 'error', error: { code: 'execution_provider_unavailable' } });
  });

  it('refuses to start on a bad provider or allow-list entry, naming the accepted forms', async () => {
    const provider = await runPeerframe(['orchestrator', '--port', '0'], {
      PEERFRAME_EXECUTION_PROVIDER: 'gpu',
      PEERFRAME_PIPELINES_DIR: join(root, 'bad', 'pipelines'),
    });
    expect(provider.code).toBe(1);
    expect(provider.stderr).toContain('Unknown execution provider "gpu"');
    expect(provider.stderr).toContain('choose one of auto, cuda, webgpu, cpu');
    const allowList = await runPeerframe(
      ['orchestrator', '--port', '0', '--allow-nodes', 'anyone'],
      {
        PEERFRAME_PIPELINES_DIR: join(root, 'bad', 'pipelines'),
      },
    );
    expect(allowList.code).toBe(1);
    expect(allowList.stderr).toContain('Invalid node allow-list entry "anyone"');
    expect(allowList.stderr).toContain('publisher:<name> or sha256:');
  });
});
