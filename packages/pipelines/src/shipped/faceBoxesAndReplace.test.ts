import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { astronautFixturePath, encodePpm, readPpm, rgbToFrame } from '../../fixtures/images.ts';
import { meanLumaDifference, person, photoFrame } from '../../fixtures/photoRegions.ts';
import { i420Planes } from '../frames/Frame.ts';
import type { Pipeline } from '../pipeline/Pipeline.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

const workflows = { sessionOptions: { intraOpNumThreads: 1 } };

async function using<T>(pipeline: Pipeline, use: (p: Pipeline) => Promise<T>): Promise<T> {
  try {
    return await use(pipeline);
  } finally {
    await pipeline.close();
  }
}

/** Mean of a plane over a box given as fractions of the frame. */
function meanOver(
  plane: Uint8Array,
  widthPx: number,
  heightPx: number,
  box: typeof person,
): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.round(box.y0 * heightPx); y < Math.round(box.y1 * heightPx); y++) {
    for (let x = Math.round(box.x0 * widthPx); x < Math.round(box.x1 * widthPx); x++) {
      sum += plane[y * widthPx + x] as number;
      count++;
    }
  }
  return sum / count;
}

describe('face-boxes', () => {
  it('draws a box around the face, in the colour asked for, changed live', async () => {
    const registry = defaultPipelineRegistry({ workflows });
    const frame = rgbToFrame(readPpm(astronautFixturePath));
    await using(await registry.create('face-boxes', { color: '#ff0000' }), async (p) => {
      const out = i420Planes(await p.process(frame));
      const before = i420Planes(frame);
      const changed = out.y.reduce((n, v, i) => n + (v !== before.y[i] ? 1 : 0), 0);
      expect(changed).toBeGreaterThan(100); // an outline around a ~35 px face, and keypoints
      expect(changed).toBeLessThan(2000);
      // Red: V far above 128 where drawn.
      expect(Math.max(...out.v)).toBe(240);
      const plan = (p as WorkflowPipeline).plan;
      await p.update({ color: '#0000ff', thicknessPx: 3 });
      expect((p as WorkflowPipeline).plan.sharesSessionsWith(plan)).toBe(true);
      const blue = i420Planes(await p.process(frame));
      expect(Math.max(...blue.u)).toBe(240);
      await expect(p.update({ color: 'red' })).rejects.toThrow(
        'The face-boxes param color must be a string of at most 7 characters matching #[0-9a-fA-F]{6}; got "red"',
      );
    });
  });
});

describe('background-replace', () => {
  let imageDir: string;
  beforeAll(async () => {
    imageDir = await mkdtemp(join(tmpdir(), 'peerframe-backgrounds-'));
    // A magenta picture: easy to find in the output.
    const rgb = new Uint8Array(40 * 30 * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb.set([255, 0, 255], i);
    await writeFile(join(imageDir, 'magenta.ppm'), encodePpm({ widthPx: 40, heightPx: 30, rgb }));
  });
  afterAll(async () => {
    await rm(imageDir, { recursive: true, force: true });
  });

  it('keeps the person and puts a solid colour behind, colour changed live', async () => {
    const registry = defaultPipelineRegistry({ workflows, imageDir });
    const frame = photoFrame(256, 256);
    await using(await registry.create('background-replace', { color: '#0000ff' }), async (p) => {
      const out = await p.process(frame);
      const { y, u } = i420Planes(out);
      // Background corners: blue (BT.601: Y 41, U 240).
      expect(y[5 * 256 + 5]).toBe(41);
      expect(u[2 * 128 + 2]).toBe(240);
      // The person stays as it was.
      expect(meanLumaDifference(out, frame, person)).toBeLessThan(8);
      const plan = (p as WorkflowPipeline).plan;
      await p.update({ color: '#ffffff' });
      expect((p as WorkflowPipeline).plan.sharesSessionsWith(plan)).toBe(true);
      expect(i420Planes(await p.process(frame)).y[5 * 256 + 5]).toBe(235);
    });
  });

  it('puts an image from the image directory behind, and refuses other paths', async () => {
    const registry = defaultPipelineRegistry({ workflows, imageDir });
    const frame = photoFrame(256, 256);
    await using(await registry.create('background-replace'), async (p) => {
      await p.update({ background: 'image', image: 'magenta.ppm' });
      const out = await p.process(frame);
      const { y, v } = i420Planes(out);
      // Magenta (255, 0, 255): Y 107, V 222.
      expect(Math.abs((y[5 * 256 + 5] as number) - 107)).toBeLessThanOrEqual(1);
      expect(Math.abs((v[2 * 128 + 2] as number) - 222)).toBeLessThanOrEqual(1);
      expect(meanOver(y, 256, 256, person)).toBeCloseTo(
        meanOver(i420Planes(frame).y, 256, 256, person),
        -1,
      );
      await expect(p.update({ image: '../etc/passwd.ppm' })).rejects.toThrow('must be a string');
      await expect(p.update({ image: 'missing.ppm' })).rejects.toThrow(/ENOENT|no such file/);
      // A failed update leaves the running plan as it was.
      expect((p as WorkflowPipeline).params).toMatchObject({
        background: 'image',
        image: 'magenta.ppm',
      });
    });
  });
});
