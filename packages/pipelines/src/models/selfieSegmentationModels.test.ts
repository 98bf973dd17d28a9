import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personFixturePath, readPpm, resizeRgb } from '../../fixtures/images.ts';
import { ModelHashMismatchError } from './errors.ts';
import { resolveModelFile } from './ModelFile.ts';
import {
  loadSelfieSegmentationOnnx,
  selfieSegmentationModels,
} from './selfieSegmentationModels.ts';

/**
 * Runs a converted model on the person photo (fixtures/README.md) and summarises the mask.
 * By hand, on the 192×192 fixture, the person (blue jacket, black trousers, boots) spans
 * x 70..124 px and y 10..188 px, i.e. 0.36..0.65 of the width and 0.05..0.98 of the height, with
 * the centre near (0.50, 0.52); a dog (not a person) lies in the lower left, left of x 0.35.
 */
async function segmentPhoto(model: Uint8Array, widthPx: number, heightPx: number) {
  const image = resizeRgb(readPpm(personFixturePath), widthPx, heightPx);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
  });
  try {
    const input = new ort.Tensor(
      'float32',
      Float32Array.from(image.rgb, (v) => v / 255),
      [1, heightPx, widthPx, 3],
    );
    const result = await session.run({ input_1: input });
    const output = result[session.outputNames[0] as string] as ort.Tensor;
    expect(output.dims).toEqual([1, heightPx, widthPx, 1]);
    const mask = output.data as Float32Array;
    /** Mean probability over a box given as fractions of the width and height. */
    const mean = (x0: number, x1: number, y0: number, y1: number) => {
      let sum = 0;
      let count = 0;
      for (let y = Math.round(y0 * heightPx); y < Math.round(y1 * heightPx); y++) {
        for (let x = Math.round(x0 * widthPx); x < Math.round(x1 * widthPx); x++) {
          sum += mask[y * widthPx + x] as number;
          count++;
        }
      }
      return sum / count;
    };
    let total = 0;
    let sumX = 0;
    let sumY = 0;
    mask.forEach((p, i) => {
      total += p;
      sumX += p * ((i % widthPx) + 0.5);
      sumY += p * (Math.floor(i / widthPx) + 0.5);
    });
    return {
      core: mean(0.4, 0.58, 0.2, 0.8), // torso and legs
      left: mean(0, 0.3, 0, 1), // grass, sky, the dog
      right: mean(0.7, 1, 0, 1),
      coverage: total / mask.length,
      centre: [sumX / total / widthPx, sumY / total / heightPx],
    };
  } finally {
    await session.release();
  }
}

describe('selfie segmentation, converted from TFLite', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'peerframe-models-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it.each([
    ['general', 256, 256],
    ['landscape', 256, 144],
  ] as const)('finds the person in a photo (%s, %i×%i)', async (name, widthPx, heightPx) => {
    const model = await loadSelfieSegmentationOnnx(name, { cacheDir });
    const mask = await segmentPhoto(model, widthPx, heightPx);
    expect(mask.core).toBeGreaterThan(0.85);
    expect(mask.left).toBeLessThan(0.02);
    expect(mask.right).toBeLessThan(0.02);
    expect(mask.coverage).toBeGreaterThan(0.08);
    expect(mask.coverage).toBeLessThan(0.25);
    expect(mask.centre[0]).toBeCloseTo(0.5, 1);
    expect(mask.centre[1]).toBeCloseTo(0.52, 1);
    const { sha256 } = selfieSegmentationModels[name];
    expect(existsSync(join(cacheDir, `${sha256}-nhwc-c1.onnx`))).toBe(true);
  });

  it('refuses a model file whose sha256 differs from the pinned one', async () => {
    const wrongFile = resolveModelFile(selfieSegmentationModels.landscape);
    const loading = loadSelfieSegmentationOnnx('general', { cacheDir, path: wrongFile });
    await expect(loading).rejects.toThrow(ModelHashMismatchError);
    await expect(loading).rejects.toMatchObject({
      code: 'model_hash_mismatch',
      expectedSha256: selfieSegmentationModels.general.sha256,
      actualSha256: selfieSegmentationModels.landscape.sha256,
    });
  });
});
