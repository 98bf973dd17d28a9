import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import {
  type OrchestratorPipeline,
  parseOrchestratorInfo,
  parsePipelineOfferList,
} from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CustomNodePackage,
  lumaCurveModel,
  writeCustomNodePackage,
} from '../../packages/pipelines/fixtures/customNodePackage.ts';
import { runPeerframe } from '../helpers/peerframeProcess.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

// Issue 15: an installed pipeline led nowhere. Here a package with a node of its own (TypeScript,
// outside the repository, importing @peerframe/pipelines/authoring) and a model given by URL is
// packed, published and installed with the CLI into the folder a running orchestrator serves;
// a WHIP stream then runs it, with no restart. A tampered model is refused.

const root = mkdtempSync(join(tmpdir(), 'peerframe-installed-e2e-'));
const dirs = {
  source: join(root, 'author', 'luma-curve'),
  authorModels: join(root, 'author', 'models'),
  registry: join(root, 'registry'),
  pipelines: join(root, 'orchestrator', 'pipelines'),
  models: join(root, 'orchestrator', 'models'),
};

/** The model server (127.0.0.1; nothing else is reachable here): `/curve.onnx`. */
const served = { bytes: lumaCurveModel() };
const server: Server = createServer((req, res) => {
  if (req.url !== '/curve.onnx') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': served.bytes.byteLength }).end(served.bytes);
});

async function pipelinesOf(url: string): Promise<OrchestratorPipeline[]> {
  const res = await fetch(`${url}/info`);
  return parseOrchestratorInfo(await res.json()).pipelines;
}

describe('a pipeline package installed into a running orchestrator', () => {
  let stack: TestStack;
  let pkg: CustomNodePackage;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    pkg = await writeCustomNodePackage(dirs.source, {
      modelUrl: `http://127.0.0.1:${port}/curve.onnx`,
    });
    stack = await startStack({
      orchestratorArgs: [
        '--pipelines-dir',
        dirs.pipelines,
        '--model-cache',
        dirs.models,
        '--allow-nodes',
        'publisher:peerframe-tests',
      ],
    });
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  });

  it('is served within seconds of install, and a WHIP stream runs its node and model', async () => {
    expect((await pipelinesOf(stack.orchestratorUrl)).map((p) => p.name)).not.toContain(
      'luma-curve',
    );
    const author = ['--model-cache', dirs.authorModels];
    const packed = await runPeerframe(['pipeline', 'pack', dirs.source, '--out', root, ...author]);
    expect(packed.stderr).toBe('');
    expect(packed.stdout).toContain(join(root, 'luma-curve-1.0.0.tgz'));
    const published = await runPeerframe([
      'pipeline',
      'publish',
      dirs.source,
      '--registry',
      dirs.registry,
      ...author,
    ]);
    expect(published).toMatchObject({ code: 0, stderr: '' });

    const installedAt = performance.now();
    const installed = await runPeerframe([
      'pipeline',
      'install',
      'luma-curve@1.0.0',
      '--registry',
      dirs.registry,
      '--dir',
      dirs.pipelines,
      '--model-cache',
      dirs.models,
    ]);
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/nodes LumaCurve: code that runs inside the orchestrator/);

    // Listed while it warms, then ready, with its version, model hash and provider.
    await expect
      .poll(
        async () => (await pipelinesOf(stack.orchestratorUrl)).find((p) => p.name === 'luma-curve'),
        { timeout: 30_000, interval: 100 },
      )
      .toMatchObject({
        state: 'ready',
        version: '1.0.0',
        models: [{ name: 'curve', sha256: pkg.modelSha256 }],
        executionProviders: ['cpu'],
      });
    // What the studio lists: the gateway's /pipelines, from the orchestrators' /info.
    await expect
      .poll(
        async () => {
          const res = await fetch(`${stack.gatewayUrl}/pipelines`);
          const { pipelines } = parsePipelineOfferList(await res.json());
          return pipelines.find((p) => p.name === 'luma-curve')?.state;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe('ready');
    console.info(
      `installed pipeline offered by the gateway ${Math.round(performance.now() - installedAt)} ms after install began (pack, fetch, warm)`,
    );

    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'luma-curve',
    });
    try {
      const result = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 5_000,
        expectLuma: pkg.expectLuma,
      });
      const { samples: _samples, ...summary } = result;
      console.info('installed luma-curve over WHIP', summary);
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.8);
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesUnreadable).toBe(0);
      // 255 − Y: the marker band comes back as a negative.
      expect(result.framesInverted).toBe(result.framesReturned);
    } finally {
      await publisher.close();
    }
    const metrics = await (await fetch(`${stack.orchestratorUrl}/metrics`)).text();
    expect(metrics).toContain(
      'peerframe_orchestrator_pipeline_info{pipeline="luma-curve",version="1.0.0",state="ready",execution_provider="cpu"} 1',
    );
  });

  it('refuses a tampered model: at install, and in a folder dropped into place', async () => {
    // The model server now serves other bytes for version 1.1.0's fetch.
    const v2 = await writeCustomNodePackage(join(root, 'author', 'v2'), {
      version: '1.1.0',
      modelUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/curve.onnx`,
      offset: 200,
    });
    served.bytes = lumaCurveModel(100);
    const refused = await runPeerframe([
      'pipeline',
      'install',
      v2.dir,
      '--dir',
      dirs.pipelines,
      '--model-cache',
      dirs.models,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('has an unexpected sha256');
    expect(refused.stderr).toContain('(model_hash_mismatch)');

    // A folder whose model file was changed after packing, renamed into the served folder.
    const staging = join(root, 'staging', 'luma-tampered');
    await writeCustomNodePackage(staging, { name: 'luma-tampered' });
    await writeFile(join(staging, 'models', 'curve.onnx'), lumaCurveModel(1));
    await mkdir(join(root, 'staging'), { recursive: true });
    await rename(staging, join(dirs.pipelines, 'luma-tampered'));
    await expect
      .poll(
        async () => {
          const view = (await pipelinesOf(stack.orchestratorUrl)).find(
            (p) => p.name === 'luma-tampered',
          );
          return view?.error?.code;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBe('model_hash_mismatch');
    const session = await fetch(`${stack.orchestratorUrl}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pipeline: 'luma-tampered', sdp: (await offer()).sdp }),
    });
    expect(session.status).toBe(400);
    expect(((await session.json()) as { error: { code: string } }).error.code).toBe(
      'model_hash_mismatch',
    );
    // The installed version is untouched and still served.
    const views = await pipelinesOf(stack.orchestratorUrl);
    expect(views.find((p) => p.name === 'luma-curve')).toMatchObject({
      version: '1.0.0',
      state: 'ready',
    });
    const gateway = parsePipelineOfferList(
      await (await fetch(`${stack.gatewayUrl}/pipelines`)).json(),
    );
    expect(gateway.pipelines.map((p) => p.name)).not.toContain('luma-tampered');
  });

  it('takes a removed pipeline out, without a restart', async () => {
    rmSync(join(dirs.pipelines, 'luma-curve'), { recursive: true });
    await expect
      .poll(async () => (await pipelinesOf(stack.orchestratorUrl)).map((p) => p.name), {
        timeout: 30_000,
        interval: 100,
      })
      .not.toContain('luma-curve');
  });
});

/** A VP8 video offer, as a gateway sends one (the orchestrator checks it before the pipeline). */
async function offer(): Promise<{ sdp: string }> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'sendrecv' });
    return { sdp: (await pc.createOffer()).sdp ?? '' };
  } finally {
    pc.close();
  }
}
