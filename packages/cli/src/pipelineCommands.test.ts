import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedPipelinesDir } from '@peerframe/pipelines';
import { loadInstalledPipelines, manifestPipelineDescriptor } from '@peerframe/pipelines/manifest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPipelineCommand } from './pipelineCommands.ts';

/** Runs a command, collecting what it prints. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPipelineCommand(args, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

describe('peerframe pipeline', () => {
  let root: string;
  let faceBoxes: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'peerframe-cli-pipeline-'));
    faceBoxes = join(root, 'face-boxes');
    await cp(join(shippedPipelinesDir, 'face-boxes'), faceBoxes, { recursive: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('validates, packs, publishes to a directory registry and installs by name', async () => {
    expect(await run(['validate', faceBoxes])).toEqual({
      code: 0,
      out: expect.stringMatching(
        /^face-boxes@1\.0\.0 is valid: 2 files, 1 model\(s\) with matching sha256\npackage sha256 [0-9a-f]{64}\n$/,
      ),
      err: '',
    });
    const packed = await run(['pack', faceBoxes, '--out', join(root, 'out')]);
    expect(packed.code).toBe(0);
    expect(packed.out).toContain(join(root, 'out', 'face-boxes-1.0.0.tgz'));
    const registry = join(root, 'registry');
    const published = await run(['publish', faceBoxes, '--registry', registry]);
    expect(published.out).toMatch(/^published face-boxes@1\.0\.0 to /);
    const installed = await run([
      'install',
      'face-boxes@1.0.0',
      '--registry',
      registry,
      '--dir',
      join(root, 'pipelines'),
    ]);
    expect(installed).toMatchObject({ code: 0, err: '' });
    expect(installed.out).toContain(
      `installed face-boxes@1.0.0 in ${join(root, 'pipelines', 'face-boxes')}`,
    );
    const fromTarball = await run([
      'install',
      join(root, 'out', 'face-boxes-1.0.0.tgz'),
      '--dir',
      join(root, 'p2'),
    ]);
    expect(fromTarball.code).toBe(0);
  });

  it('validates, packs and installs an audio pipeline the same way', async () => {
    const voicePitch = join(root, 'voice-pitch');
    await cp(join(shippedPipelinesDir, 'voice-pitch'), voicePitch, { recursive: true });
    expect(await run(['validate', voicePitch])).toMatchObject({ code: 0, err: '' });
    const workflow = join(voicePitch, 'workflow.json');
    expect(await run(['validate', workflow])).toMatchObject({
      code: 0,
      out: `${workflow} is a valid workflow: audio: 3 nodes, 3 run per audio frame\n`,
    });
    expect((await run(['pack', voicePitch, '--out', join(root, 'out')])).code).toBe(0);
    const dir = join(root, 'pipelines');
    const tarball = join(root, 'out', 'voice-pitch-1.0.0.tgz');
    expect((await run(['install', tarball, '--dir', dir])).code).toBe(0);
    const [installed] = await loadInstalledPipelines(dir);
    if (installed === undefined) throw new Error('voice-pitch was not installed');
    const descriptor = manifestPipelineDescriptor(installed);
    expect(descriptor.media).toEqual(['audio']);
    const pipeline = await descriptor.createAudio?.({ semitones: -3 });
    try {
      expect(pipeline?.latencyUs).toBeCloseTo(42_666.67, 1);
    } finally {
      await pipeline?.close();
    }
  });

  it('refuses a wrong model hash with a clear message and exit code 1', async () => {
    const path = join(faceBoxes, 'pipeline.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    manifest.models.blazeface.sha256 = 'f'.repeat(64);
    await writeFile(path, JSON.stringify(manifest));
    const { code, err } = await run(['validate', faceBoxes]);
    expect(code).toBe(1);
    expect(err).toContain('face_detection_front_128x128_barracuda.onnx has an unexpected sha256');
    expect(err).toContain(`expected ${'f'.repeat(64)}, got d388b1cf`);
    expect(err).toContain('(model_hash_mismatch)');
  });

  it('lists every workflow problem by node id', async () => {
    const path = join(faceBoxes, 'workflow.json');
    const workflow = JSON.parse(await readFile(path, 'utf8'));
    workflow['2'].class_type = 'UltralyticsDetector';
    workflow['3'].inputs.boxes = ['9', 0];
    await writeFile(path, JSON.stringify(workflow));
    const { code, err } = await run(['validate', faceBoxes]);
    expect(code).toBe(1);
    expect(err).toBe(
      [
        'peerframe pipeline validate: Invalid workflow: 2 problems',
        '  Unsupported node types: needs a model/GPU node (1): UltralyticsDetector',
        '  - Unsupported class_type "UltralyticsDetector" (needs a model/GPU node): node "2"',
        '  - Node "3" (DrawDetections) input "boxes" links to node "9", which does not exist',
        '  (invalid_workflow)',
        '',
      ].join('\n'),
    );
  });

  it('answers bad usage with exit code 2', async () => {
    expect((await run(['frobnicate', 'x'])).code).toBe(2);
    expect((await run(['validate'])).code).toBe(2);
    expect((await run(['pack', 'a', 'b'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });
});
