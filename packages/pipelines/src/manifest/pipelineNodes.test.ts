import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CustomNodePackage,
  writeCustomNodePackage,
} from '../../fixtures/customNodePackage.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { sha256Hex } from '../models/ModelCache.ts';
import { createPipelineFromDirectory } from './createPipelineFromDirectory.ts';
import { InvalidPipelineManifestError, PipelineFileIsLinkError } from './errors.ts';
import { loadPipelineDirectory, loadPipelineDirectorySync } from './loadPipelineDirectory.ts';
import {
  noPipelineNodes,
  parsePipelineNodePolicy,
  UntrustedPipelineNodesError,
} from './PipelineNodePolicy.ts';
import { installPipeline, packPipeline } from './pipelinePackages.ts';
import { readTarGz } from './tarball.ts';

const workflows = { sessionOptions: { intraOpNumThreads: 1 } };

describe('pipeline packages with their own nodes', () => {
  let root: string;
  let pkg: CustomNodePackage;

  beforeEach(async () => {
    // A temporary folder outside the repository, as an author's project would be.
    root = await mkdtemp(join(tmpdir(), 'peerframe-custom-node-'));
    pkg = await writeCustomNodePackage(join(root, 'luma-curve'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads the node module, which imports the authoring API, and runs its model on frames', async () => {
    const loaded = await loadPipelineDirectory(pkg.dir);
    expect(loaded.nodeClassTypes).toEqual(['LumaCurve']);
    expect(loaded.files).toEqual([
      'pipeline.json',
      'workflow.json',
      'nodes/lumaCurve.ts',
      'models/curve.onnx',
    ]);
    expect(loaded.packageSha256).toMatch(/^[0-9a-f]{64}$/);
    const pipeline = await createPipelineFromDirectory(pkg.dir, {}, { workflows });
    try {
      const frame = rgbFrame(64, 48, (x, y) => [x * 4, y * 5, 90]);
      const out = await pipeline.process(frame);
      const sent = i420Planes(frame);
      const got = i420Planes(out);
      expect(Array.from(got.y)).toEqual(Array.from(sent.y, pkg.expectLuma));
      expect(Array.from(got.u)).toEqual(Array.from(sent.u));
      expect(Array.from(got.v)).toEqual(Array.from(sent.v));
      expect(pipeline.executionProviders).toEqual(['cpu']);
    } finally {
      await pipeline.close();
    }
  });

  it('packs and installs the node folder with the package, and the hash names it', async () => {
    const packed = await packPipeline(pkg.dir);
    expect(readTarGz(packed.bytes).map((file) => file.path)).toEqual([
      'package.json',
      'pipeline.json',
      'workflow.json',
      'nodes/lumaCurve.ts',
      'models/curve.onnx',
    ]);
    const tarball = join(root, packed.fileName);
    await writeFile(tarball, packed.bytes);
    const installed = await installPipeline(tarball, join(root, 'installed'));
    expect(installed.nodeClassTypes).toEqual(['LumaCurve']);
    expect(installed.packageSha256).toBe(packed.loaded.packageSha256);
    // Another node source is another package.
    await writeFile(
      join(pkg.dir, 'nodes', 'lumaCurve.ts'),
      `${await readFile(join(pkg.dir, 'nodes', 'lumaCurve.ts'), 'utf8')}\n// changed\n`,
    );
    expect((await loadPipelineDirectory(pkg.dir)).packageSha256).not.toBe(installed.packageSha256);
  });

  it('runs node code only for packages the policy allows, naming the hash to allow', async () => {
    const { packageSha256 } = await loadPipelineDirectory(pkg.dir);
    const refused = loadPipelineDirectory(pkg.dir, { nodePolicy: noPipelineNodes });
    await expect(refused).rejects.toThrow(UntrustedPipelineNodesError);
    await expect(refused).rejects.toMatchObject({
      code: 'untrusted_pipeline_nodes',
      details: `node code runs inside this process: allow it with --allow-nodes sha256:${packageSha256} (or publisher:peerframe-tests)`,
    });
    for (const entries of [`sha256:${packageSha256}`, 'publisher:peerframe-tests', '*']) {
      const loaded = await loadPipelineDirectory(pkg.dir, {
        nodePolicy: parsePipelineNodePolicy(entries),
      });
      expect(loaded.nodeClassTypes).toEqual(['LumaCurve']);
    }
    await expect(
      loadPipelineDirectory(pkg.dir, {
        nodePolicy: parsePipelineNodePolicy(`publisher:someone-else,sha256:${'0'.repeat(64)}`),
      }),
    ).rejects.toThrow(UntrustedPipelineNodesError);
    expect(() => parsePipelineNodePolicy('sha256:abc')).toThrow(
      'Invalid node allow-list entry "sha256:abc"',
    );
    expect(() => parsePipelineNodePolicy('anyone')).toThrow(/Invalid node allow-list entry/);
  });

  it('refuses node modules that fail to load or export no node, naming the problem', async () => {
    const entry = join(pkg.dir, 'nodes', 'lumaCurve.ts');
    await writeFile(entry, 'export default 42;\n');
    await expect(loadPipelineDirectory(pkg.dir)).rejects.toMatchObject({
      code: 'invalid_pipeline_manifest',
      issues: ['nodes: default export of nodes/lumaCurve.ts: not an object'],
    });
    await writeFile(entry, "import { nothing } from './missing.ts';\nexport default nothing;\n");
    await expect(loadPipelineDirectory(pkg.dir)).rejects.toMatchObject({
      issues: [expect.stringMatching(/^nodes: cannot load nodes\/lumaCurve\.ts: /)],
    });
    await writeFile(
      entry,
      "export default [{ classType: 'ImageInvert', kind: 'js', description: '', inputs: {}, outputs: [], prepare() {} }];\n",
    );
    await expect(loadPipelineDirectory(pkg.dir)).rejects.toMatchObject({
      issues: ['nodes: class_type "ImageInvert" is already a node type here'],
    });
    // The synchronous loader does not run code.
    expect(() => loadPipelineDirectorySync(pkg.dir)).toThrow(InvalidPipelineManifestError);
  });

  it('refuses a symbolic link in the node folder', async () => {
    await symlink('/etc/hostname', join(pkg.dir, 'nodes', 'secret.ts'));
    await expect(loadPipelineDirectory(pkg.dir)).rejects.toThrow(PipelineFileIsLinkError);
    await expect(packPipeline(pkg.dir)).rejects.toThrow(PipelineFileIsLinkError);
  });

  it('refuses a manifest whose nodes entry is not a module path', async () => {
    const path = join(pkg.dir, 'pipeline.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    for (const nodes of ['../outside.ts', 'nodes/lumaCurve.py', 42]) {
      await writeFile(path, JSON.stringify({ ...manifest, nodes }));
      await expect(loadPipelineDirectory(pkg.dir)).rejects.toMatchObject({
        issues: ['nodes must be the relative path of a .js, .mjs, .ts or .mts module'],
      });
    }
  });

  it('gives a node the bytes of its models, checked, and refuses other names', async () => {
    await writeFile(join(pkg.dir, 'models', 'curve.onnx'), 'tampered');
    await expect(loadPipelineDirectory(pkg.dir)).rejects.toMatchObject({
      code: 'model_hash_mismatch',
      details: `expected ${pkg.modelSha256}, got ${sha256Hex(new TextEncoder().encode('tampered'))}`,
    });
  });
});
