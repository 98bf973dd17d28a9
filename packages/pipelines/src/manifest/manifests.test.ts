import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPipelineParams } from '@peerframe/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { photoFrame } from '../../fixtures/photoRegions.ts';
import { ModelHashMismatchError } from '../models/errors.ts';
import { sha256Hex } from '../models/ModelCache.ts';
import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import type { Pipeline } from '../pipeline/Pipeline.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import { InvalidWorkflowError } from '../workflow/errors.ts';
import { overBlackByMask } from '../workflow/fixtures/workflowParts.ts';
import { workflowFor } from '../workflow/WorkflowPipeline.ts';
import { InvalidPipelineArchiveError, InvalidPipelineManifestError } from './errors.ts';
import {
  loadPipelineDirectory,
  loadPipelineDirectorySync,
  manifestPipelineDescriptor,
} from './loadPipelineDirectory.ts';
import { parsePipelineManifest } from './PipelineManifest.ts';
import {
  installPipeline,
  loadInstalledPipelines,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
} from './pipelinePackages.ts';
import {
  loadShippedPipeline,
  shippedAudioPipelineNames,
  shippedPipelineNames,
} from './shippedPipelines.ts';
import { readTarGz, writeTarGz } from './tarball.ts';

const sessionOptions = { intraOpNumThreads: 1 };

async function using<T>(pipeline: Pipeline, use: (p: Pipeline) => Promise<T>): Promise<T> {
  try {
    return await use(pipeline);
  } finally {
    await pipeline.close();
  }
}

describe('shipped pipeline manifests', () => {
  it('are what the default registry runs, in its order, each with its manifest params', () => {
    const registry = defaultPipelineRegistry();
    const shipped = [...shippedPipelineNames, ...shippedAudioPipelineNames];
    expect(registry.names()).toEqual(shipped);
    for (const name of shipped) {
      const loaded = loadShippedPipeline(name);
      expect(loaded.manifest).toMatchObject({
        name,
        version: '1.0.0',
        minExecutionProvider: 'cpu',
      });
      expect(registry.get(name).paramsSchema).toEqual(loaded.definition.paramsSchema);
      expect(registry.get(name).description).toBe(loaded.manifest.description);
    }
  });

  it('write a scaled binding: background-blur blurRadiusPx r sets ImageBlur sigma r / 2', () => {
    const { definition } = loadShippedPipeline('background-blur');
    const workflow = workflowFor(definition, {
      ...defaultPipelineParams(definition.paramsSchema ?? {}),
      blurRadiusPx: 5,
    });
    expect(workflow['4']?.inputs).toMatchObject({ sigma: 2.5 });
  });
});

describe('parsePipelineManifest', () => {
  it('lists every problem, naming the field', () => {
    let error: unknown;
    try {
      parsePipelineManifest({
        name: 'Bad Name',
        version: '1',
        description: '',
        workflow: '../outside.json',
        params: {
          level: {
            type: 'number',
            default: 5,
            min: 0,
            max: 1,
            description: 'x',
            bind: [['1', 'level']],
          },
          mode: { type: 'enum', values: ['a'], default: 'b', description: 'x' },
        },
        models: { m: { file: 'm.onnx', sha256: 'abc', license: 'MIT' } },
        minExecutionProvider: 'tpu',
        extra: true,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPipelineManifestError);
    expect((error as InvalidPipelineManifestError).issues).toEqual([
      'unknown field "extra"',
      'name must be 1..64 lower-case letters, digits and "-"',
      'version must be a semantic version such as 1.0.0',
      'description must be a string of 1..500 characters',
      'minExecutionProvider must be one of cpu, webgpu, cuda',
      'workflow must be a relative path inside the pipeline',
      'params.level.default must be a number in 0..1',
      'params.mode.bind must be a non-empty list of ["<node id>", "<input>"] (or ["<node id>", "<input>", <scale>] for a number)',
      'params.mode.default must be one of values',
      'models.m.sha256 must be 64 lower-case hex digits',
    ]);
  });

  it('checks the fields of packages: nodes, publisher, paramUpdates, models by URL', () => {
    const sha256 = 'a'.repeat(64);
    const manifest = {
      name: 'p',
      version: '1.0.0',
      description: 'x',
      workflow: 'workflow.json',
    };
    expect(
      parsePipelineManifest({
        ...manifest,
        nodes: 'nodes/index.ts',
        publisher: 'someone',
        paramUpdates: 'replace',
        models: { m: { url: 'https://models.example/m.onnx', sha256, license: 'MIT' } },
      }),
    ).toMatchObject({ nodes: 'nodes/index.ts', publisher: 'someone', paramUpdates: 'replace' });
    expect(() =>
      parsePipelineManifest({
        ...manifest,
        publisher: 'Some One',
        paramUpdates: 'sometimes',
        models: {
          secret: { url: 'https://user:pass@models.example/m.onnx', sha256, license: 'MIT' },
          ftp: { url: 'ftp://models.example/m.onnx', sha256, license: 'MIT' },
          two: { url: 'https://models.example/m.onnx', file: 'm.onnx', sha256, license: 'MIT' },
        },
      }),
    ).toThrow(
      expect.objectContaining({
        issues: [
          'paramUpdates must be "merge" or "replace"',
          'publisher must be 1..64 lower-case letters, digits and "-"',
          'models.secret.url must be an http: or https: URL without credentials',
          'models.ftp.url must be an http: or https: URL without credentials',
          'models.two must have exactly one of: file; npmPackage and path; url',
        ],
      }),
    );
  });
});

describe('tarballs', () => {
  it('round-trips files under package/ and refuses unsafe archives', () => {
    const files = [
      { path: 'pipeline.json', bytes: new TextEncoder().encode('{}') },
      { path: 'models/a.onnx', bytes: new Uint8Array(1000).fill(7) },
    ];
    const archive = writeTarGz(files);
    expect(readTarGz(archive)).toEqual(files);
    expect(sha256Hex(writeTarGz(files))).toBe(sha256Hex(archive)); // deterministic
    expect(() => writeTarGz([{ path: '../x', bytes: new Uint8Array() }])).toThrow(
      InvalidPipelineArchiveError,
    );
    expect(() => readTarGz(Uint8Array.of(1, 2, 3))).toThrow('Not a gzip archive');
  });
});

/** A tiny ONNX model: the mean of a `[1, 3, h, w]` tensor's channels, `[1, 1, h, w]`. */
function meanChannelModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const x = g.addInput('x', 'float32', [1, 3, 'h', 'w']);
  const mean = g.op(
    'ReduceMean',
    [x],
    { axes: { type: 'ints', value: [1] }, keepdims: { type: 'int', value: 1 } },
    'y',
  );
  g.addOutput(mean, 'float32', [1, 1, 'h', 'w']);
  return g.toBytes();
}

describe('third-party pipelines: pack, install, publish', () => {
  let root: string;
  let pipelineDir: string;
  const model = meanChannelModel();

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'peerframe-pipeline-packages-'));
    pipelineDir = join(root, 'src', 'brightness-mask');
    await mkdir(join(pipelineDir, 'models'), { recursive: true });
    await writeFile(join(pipelineDir, 'models', 'mean.onnx'), model);
    await writeFile(
      join(pipelineDir, 'workflow.json'),
      JSON.stringify({
        in: { class_type: 'LoadTensor', inputs: {} },
        t: {
          class_type: 'ImageToTensor',
          inputs: { image: ['in', 0], width: 64, height: 64, mean: 0, std: 1, layout: 'NCHW' },
        },
        m: { class_type: 'OnnxModel', inputs: { tensor: ['t', 0], model: 'mean' } },
        k: { class_type: 'TensorToMask', inputs: { tensor: ['m', 0], channel: 0, layout: 'NCHW' } },
        ...overBlackByMask('k'),
      }),
    );
    await writeManifest(sha256Hex(model));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const writeManifest = (sha256: string, version = '1.2.0') =>
    writeFile(
      join(pipelineDir, 'pipeline.json'),
      JSON.stringify({
        name: 'brightness-mask',
        version,
        description: 'Keeps bright areas, darkens dark ones (a model shipped with the pipeline).',
        workflow: 'workflow.json',
        params: {
          color: {
            type: 'string',
            default: '#000000',
            pattern: '#[0-9a-fA-F]{6}',
            description: 'Colour of dark areas',
            bind: [['c', 'color']],
          },
        },
        models: { mean: { file: 'models/mean.onnx', sha256, license: 'MIT' } },
        license: 'MIT',
      }),
    );

  it('runs its own ONNX model, packs to an npm tarball and installs from it', async () => {
    const loaded = await loadPipelineDirectory(pipelineDir);
    const frame = photoFrame(128, 128);
    const out = await using(
      await manifestPipelineDescriptor(loaded, { sessionOptions }).create({}),
      (p) => p.process(frame),
    );
    expect(out.widthPx).toBe(128);
    // Each pixel is mixed with black by its own brightness: darker overall, dark pixels most.
    const luma = (data: Uint8Array) => data.subarray(0, 128 * 128);
    const mean = (plane: Uint8Array) => plane.reduce((a, b) => a + b, 0) / plane.length;
    expect(mean(luma(out.data))).toBeLessThan(mean(luma(frame.data)) - 10);
    const packed = await packPipeline(pipelineDir);
    expect(packed.fileName).toBe('brightness-mask-1.2.0.tgz');
    const files = readTarGz(packed.bytes);
    expect(files.map((f) => f.path)).toEqual([
      'package.json',
      'pipeline.json',
      'workflow.json',
      'models/mean.onnx',
    ]);
    expect(JSON.parse(new TextDecoder().decode(files[0]?.bytes))).toMatchObject({
      name: 'peerframe-pipeline-brightness-mask',
      version: '1.2.0',
    });
    const tarball = join(root, packed.fileName);
    await writeFile(tarball, packed.bytes);
    const installed = await installPipeline(tarball, join(root, 'installed'));
    expect(installed.dir).toBe(join(root, 'installed', 'brightness-mask'));
    expect(
      (await loadInstalledPipelines(join(root, 'installed'))).map((p) => p.manifest.name),
    ).toEqual(['brightness-mask']);
  });

  it('refuses a model whose sha256 differs, at load, pack, install and create', async () => {
    await writeManifest('0'.repeat(64));
    await expect(loadPipelineDirectory(pipelineDir)).rejects.toThrow(ModelHashMismatchError);
    await expect(packPipeline(pipelineDir)).rejects.toThrow(ModelHashMismatchError);
    await expect(installPipeline(pipelineDir, join(root, 'installed'))).rejects.toMatchObject({
      code: 'model_hash_mismatch',
    });
    expect(existsSync(join(root, 'installed', 'brightness-mask'))).toBe(false);
    // A model swapped after install is refused when a pipeline is created.
    await writeManifest(sha256Hex(model));
    const installed = await installPipeline(pipelineDir, join(root, 'installed'));
    await writeFile(join(installed.dir, 'models', 'mean.onnx'), meanChannelModel().subarray(0, 50));
    await expect(manifestPipelineDescriptor(installed).create({})).rejects.toThrow(
      ModelHashMismatchError,
    );
  });

  it('loads a pipeline whose model package is missing only when asked, and then refuses to create it', async () => {
    const manifestPath = join(pipelineDir, 'pipeline.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.models.mean = {
      npmPackage: 'peerframe-no-such-package',
      path: 'm.onnx',
      sha256: sha256Hex(model),
      license: 'MIT',
    };
    await writeFile(manifestPath, JSON.stringify(manifest));
    const notInstalled = 'models.mean: peerframe-no-such-package/m.onnx is not installed';
    expect(() => loadPipelineDirectorySync(pipelineDir)).toThrow(InvalidPipelineManifestError);
    const loaded = loadPipelineDirectorySync(pipelineDir, { allowMissingModels: true });
    await expect(manifestPipelineDescriptor(loaded).create({})).rejects.toMatchObject({
      code: 'invalid_pipeline_manifest',
      issues: [notInstalled],
    });
  });

  it('reports workflow problems of a pipeline directory with node ids', async () => {
    const workflow = JSON.parse(await readFile(join(pipelineDir, 'workflow.json'), 'utf8'));
    workflow.t.class_type = 'CLIPVisionEncode';
    await writeFile(join(pipelineDir, 'workflow.json'), JSON.stringify(workflow));
    await expect(loadPipelineDirectory(pipelineDir)).rejects.toThrow(InvalidWorkflowError);
    await expect(loadPipelineDirectory(pipelineDir)).rejects.toMatchObject({
      issues: [{ code: 'unknown_class_type', nodeId: 't' }],
    });
  });

  it('publishes to a directory registry and installs from it by name', async () => {
    const registryDir = join(root, 'registry');
    const published = await publishPipeline(pipelineDir, registryDir);
    expect(published).toMatchObject({ name: 'brightness-mask', version: '1.2.0' });
    await publishPipeline(pipelineDir, registryDir); // the same bytes again: fine
    const index = JSON.parse(await readFile(join(registryDir, 'index.json'), 'utf8'));
    expect(index.pipelines['brightness-mask'].latest).toBe('1.2.0');
    const tarball = await resolveFromRegistry('brightness-mask', registryDir);
    expect((await installPipeline(tarball, join(root, 'installed'))).manifest.version).toBe(
      '1.2.0',
    );
    // Same version, other content: refused.
    await writeFile(join(pipelineDir, 'README.md'), 'changed');
    await expect(publishPipeline(pipelineDir, registryDir)).rejects.toThrow('already published');
    await writeManifest(sha256Hex(model), '1.10.0');
    await publishPipeline(pipelineDir, registryDir);
    const updated = JSON.parse(await readFile(join(registryDir, 'index.json'), 'utf8'));
    expect(updated.pipelines['brightness-mask'].latest).toBe('1.10.0');
    await expect(resolveFromRegistry('nope', registryDir)).rejects.toThrow('not in the registry');
  });
});
