import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCustomNodePackage } from '../../fixtures/customNodePackage.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { PipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import { InstalledPipelines } from './InstalledPipelines.ts';
import { noPipelineNodes, parsePipelineNodePolicy } from './PipelineNodePolicy.ts';
import { installPipeline } from './pipelinePackages.ts';

const workflows = { sessionOptions: { intraOpNumThreads: 1 } };
const waitFor = { timeout: 20_000, interval: 50 };

describe('InstalledPipelines: an orchestrator follows its pipelines folder', () => {
  let root: string;
  let dir: string;
  let registry: PipelineRegistry;
  let installed: InstalledPipelines | undefined;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'peerframe-installed-'));
    dir = join(root, 'pipelines');
    registry = new PipelineRegistry();
  });
  afterEach(async () => {
    await installed?.close();
    await registry.close();
    await rm(root, { recursive: true, force: true });
  });

  const describeOf = (name: string) => registry.describe().find((p) => p.name === name);

  it('loads, warms, upgrades and removes pipelines as they are installed, without a restart', async () => {
    installed = await InstalledPipelines.start({
      dir,
      registry,
      workflows,
      load: { nodePolicy: parsePipelineNodePolicy('publisher:peerframe-tests') },
      // Only the folder's change events: no periodic rescan to hide a missed one.
      rescanIntervalMs: 0,
    });
    expect(registry.names()).toEqual([]);
    const v1 = await writeCustomNodePackage(join(root, 'src', 'v1'));
    await installPipeline(v1.dir, dir);
    // Listed while warming (never `idle`), then ready with its version, models and provider.
    await expect
      .poll(() => describeOf('luma-curve')?.state, waitFor)
      .toMatch(/^(loading|warming|ready)$/);
    await expect.poll(() => describeOf('luma-curve')?.state, waitFor).toBe('ready');
    expect(describeOf('luma-curve')).toMatchObject({
      version: '1.0.0',
      models: [{ name: 'curve', sha256: v1.modelSha256 }],
      executionProviders: ['cpu'],
    });
    const frame = rgbFrame(32, 32, (x, y) => [x * 8, y * 8, 60]);
    const first = await registry.create('luma-curve');
    try {
      const out = i420Planes(await first.process(frame));
      expect(Array.from(out.y)).toEqual(Array.from(i420Planes(frame).y, v1.expectLuma));

      // A new version replaces the old one; the pipeline created from the old one keeps working.
      const v2 = await writeCustomNodePackage(join(root, 'src', 'v2'), {
        version: '1.1.0',
        offset: 200,
      });
      await installPipeline(v2.dir, dir);
      await expect.poll(() => describeOf('luma-curve')?.version, waitFor).toBe('1.1.0');
      await expect.poll(() => describeOf('luma-curve')?.state, waitFor).toBe('ready');
      const second = await registry.create('luma-curve');
      try {
        const upgraded = i420Planes(await second.process(frame));
        expect(Array.from(upgraded.y)).toEqual(Array.from(i420Planes(frame).y, v2.expectLuma));
      } finally {
        await second.close();
      }
      expect(i420Planes(await first.process(frame)).y).toEqual(out.y);
    } finally {
      await first.close();
    }
    await rm(join(dir, 'luma-curve'), { recursive: true });
    await expect.poll(() => registry.has('luma-curve'), waitFor).toBe(false);
    await expect(registry.create('luma-curve')).rejects.toMatchObject({ code: 'unknown_pipeline' });
  });

  it('lists a package it refuses in state error with the reason, and never creates it', async () => {
    const pkg = await writeCustomNodePackage(join(root, 'src', 'luma-curve'));
    await installPipeline(pkg.dir, dir);
    // A model changed after install (a tampered copy of the folder).
    await cp(join(dir, 'luma-curve'), join(dir, 'tampered'), { recursive: true });
    const manifest = JSON.parse(await readFile(join(dir, 'luma-curve', 'pipeline.json'), 'utf8'));
    await writeFile(
      join(dir, 'tampered', 'pipeline.json'),
      JSON.stringify({ ...manifest, name: 'tampered' }),
    );
    await writeFile(join(dir, 'tampered', 'models', 'curve.onnx'), 'not the model');
    installed = await InstalledPipelines.start({
      dir,
      registry,
      workflows,
      load: { nodePolicy: noPipelineNodes },
    });
    await expect.poll(() => describeOf('tampered')?.state, waitFor).toBe('error');
    await expect.poll(() => describeOf('luma-curve')?.state, waitFor).toBe('error');
    expect(describeOf('tampered')?.error?.code).toBe('untrusted_pipeline_nodes');
    expect(describeOf('luma-curve')?.error).toMatchObject({
      code: 'untrusted_pipeline_nodes',
      message: expect.stringContaining('--allow-nodes sha256:'),
    });
    await expect(registry.create('luma-curve')).rejects.toMatchObject({
      code: 'untrusted_pipeline_nodes',
    });

    // Allowed to run its nodes, the tampered copy is still refused for its model.
    await installed.close();
    await registry.close();
    registry = new PipelineRegistry();
    installed = await InstalledPipelines.start({
      dir,
      registry,
      workflows,
      load: { nodePolicy: parsePipelineNodePolicy('*') },
    });
    await expect.poll(() => describeOf('tampered')?.state, waitFor).toBe('error');
    expect(describeOf('tampered')?.error?.code).toBe('model_hash_mismatch');
    await expect.poll(() => describeOf('luma-curve')?.state, waitFor).toBe('ready');
  });

  it('refuses an installed pipeline that takes the name of one from elsewhere', async () => {
    const pkg = await writeCustomNodePackage(join(root, 'src', 'x'), { name: 'invert' });
    await installPipeline(pkg.dir, dir);
    const other = await writeCustomNodePackage(join(root, 'src', 'y'), { name: 'other' });
    await installPipeline(other.dir, dir);
    registry.register({
      name: 'invert',
      description: 'shipped',
      paramsSchema: {},
      create: () => Promise.reject(new Error('not used')),
    });
    installed = await InstalledPipelines.start({ dir, registry, workflows });
    expect(installed.pipelines).toEqual(
      new Map([
        ['invert', undefined],
        ['other', 'other'],
      ]),
    );
    expect(registry.get('invert').description).toBe('shipped');
  });
});
