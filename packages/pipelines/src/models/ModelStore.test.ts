import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lumaCurveModel, writeCustomNodePackage } from '../../fixtures/customNodePackage.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { createPipelineFromDirectory } from '../manifest/createPipelineFromDirectory.ts';
import { loadPipelineDirectory } from '../manifest/loadPipelineDirectory.ts';
import { installPipeline, packPipeline } from '../manifest/pipelinePackages.ts';
import { readTarGz } from '../manifest/tarball.ts';
import { ModelDownloadError, ModelHashMismatchError } from './errors.ts';
import { sha256Hex } from './ModelCache.ts';
import { ModelStore } from './ModelStore.ts';

/** A model server on 127.0.0.1 (no internet here): `/model` answers `body`, counting requests. */
async function startModelServer(): Promise<{
  url: string;
  body: { bytes: Uint8Array };
  requests: string[];
  close(): Promise<void>;
}> {
  const body = { bytes: lumaCurveModel() };
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url !== '/model.onnx') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.bytes.byteLength }).end(body.bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    body,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('ModelStore: models by URL, fetched at install into a content-addressed folder', () => {
  let root: string;
  let server: Awaited<ReturnType<typeof startModelServer>>;
  let store: ModelStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'peerframe-model-store-'));
    server = await startModelServer();
    store = new ModelStore(join(root, 'models'));
  });
  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('stores a model by its sha256 once, and serves the next fetch from disk', async () => {
    const sha256 = sha256Hex(server.body.bytes);
    const path = await store.fetch(`${server.url}/model.onnx`, sha256);
    expect(path).toBe(join(root, 'models', `sha256-${sha256}`));
    expect(sha256Hex(await readFile(path))).toBe(sha256);
    expect(await store.fetch(`${server.url}/model.onnx`, sha256)).toBe(path);
    expect(server.requests).toEqual(['/model.onnx']);
  });

  it('keeps nothing when the bytes, the status or the size are wrong', async () => {
    const wanted = '0'.repeat(64);
    await expect(store.fetch(`${server.url}/model.onnx`, wanted)).rejects.toThrow(
      ModelHashMismatchError,
    );
    await expect(store.fetch(`${server.url}/missing.onnx`, wanted)).rejects.toMatchObject({
      code: 'model_download_failed',
      details: 'HTTP 404',
    });
    const small = new ModelStore(join(root, 'models'), { maxBytes: 100 });
    await expect(
      small.fetch(`${server.url}/model.onnx`, sha256Hex(server.body.bytes)),
    ).rejects.toThrow(ModelDownloadError);
    await expect(store.fetch('http://127.0.0.1:9/model.onnx', wanted)).rejects.toMatchObject({
      code: 'model_download_failed',
    });
    expect(await readdir(join(root, 'models'))).toEqual([]);
  });

  it('installs a package whose model is a URL: fetched at install, read from the store at run time', async () => {
    const pkg = await writeCustomNodePackage(join(root, 'src', 'luma-curve'), {
      modelUrl: `${server.url}/model.onnx`,
    });
    // Running (no fetch) a package whose model was never fetched is refused, with no request.
    await expect(loadPipelineDirectory(pkg.dir, { modelStore: store })).rejects.toMatchObject({
      code: 'invalid_pipeline_manifest',
      issues: [
        expect.stringContaining(
          'models given by URL are fetched by `peerframe pipeline install`, never while running',
        ),
      ],
    });
    expect(server.requests).toEqual([]);
    const packed = await packPipeline(pkg.dir, { modelStore: store });
    expect(readTarGz(packed.bytes).map((file) => file.path)).not.toContain('models/curve.onnx');
    const installed = await installPipeline(pkg.dir, join(root, 'installed'), {
      modelStore: store,
    });
    expect(installed.models.curve?.path).toBe(store.path(pkg.modelSha256));
    const requestsAtInstall = server.requests.length;
    const pipeline = await createPipelineFromDirectory(installed.dir, {}, { modelStore: store });
    try {
      const frame = rgbFrame(32, 32, (x) => [x * 8, 100, 50]);
      const out = i420Planes(await pipeline.process(frame));
      expect(Array.from(out.y)).toEqual(Array.from(i420Planes(frame).y, pkg.expectLuma));
    } finally {
      await pipeline.close();
    }
    expect(server.requests.length).toBe(requestsAtInstall);
  });

  it('installs nothing when the URL serves other bytes', async () => {
    const pkg = await writeCustomNodePackage(join(root, 'src', 'luma-curve'), {
      modelUrl: `${server.url}/model.onnx`,
    });
    server.body.bytes = lumaCurveModel(128);
    await expect(
      installPipeline(pkg.dir, join(root, 'installed'), { modelStore: store }),
    ).rejects.toMatchObject({
      code: 'model_hash_mismatch',
      details: `expected ${pkg.modelSha256}, got ${sha256Hex(server.body.bytes)}`,
    });
    expect(existsSync(join(root, 'installed', 'luma-curve'))).toBe(false);
    expect(await readdir(join(root, 'models'))).toEqual([]);
  });
});
