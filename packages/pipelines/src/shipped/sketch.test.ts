import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { lumaAt, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

describe('sketch', () => {
  let pipeline: WorkflowPipeline;
  beforeAll(async () => {
    pipeline = await createShippedPipeline('sketch', { strength: 4, threshold: 0.08 });
  });
  afterAll(() => pipeline.close());

  it('turns a flat frame into white paper', async () => {
    const out = await pipeline.process(rgbFrame(64, 48, () => [40, 120, 200], 7));
    const { y, u, v } = i420Planes(out);
    expect(out.timestampUs).toBe(7);
    expect(new Set(y)).toEqual(new Set([235]));
    expect(new Set(u)).toEqual(new Set([128]));
    expect(new Set(v)).toEqual(new Set([128]));
  });

  it('draws a step edge dark only at the edge', async () => {
    // Black left of column 32, white from it on.
    const out = await pipeline.process(
      rgbFrame(64, 32, (x) => (x < 32 ? [0, 0, 0] : [255, 255, 255])),
    );
    for (const row of [0, 15, 31]) {
      expect(lumaAt(out, 31, row)).toBe(16);
      expect(lumaAt(out, 32, row)).toBe(16);
      for (const x of [0, 10, 29, 30, 33, 34, 50, 63]) expect(lumaAt(out, x, row)).toBe(235);
    }
  });

  it('leaves edges weaker than the threshold out, and update() applies between frames', async () => {
    // A faint step: luma 120 → 140, edge strength 20/219 ≈ 0.09.
    const faint = rgbFrame(64, 32, (x) => (x < 32 ? [120, 120, 120] : [143, 143, 143]));
    await pipeline.update({ threshold: 0.2 });
    expect(lumaAt(await pipeline.process(faint), 32, 10)).toBe(235);
    await pipeline.update({ threshold: 0, strength: 10 });
    expect(pipeline.params).toEqual({
      threshold: 0,
      strength: 10,
      denoise: false,
      pitchSemitones: 0,
      gainDb: 0,
    });
    expect(lumaAt(await pipeline.process(faint), 32, 10)).toBeLessThan(60);
  });

  it('rejects bad params, naming the field and its limit', async () => {
    await expect(pipeline.update({ strength: 21 })).rejects.toThrow(
      'The sketch param strength must be a number in 0..20; got 21',
    );
    await expect(createShippedPipeline('sketch', { thresh: 1 })).rejects.toBeInstanceOf(
      InvalidPipelineParamsError,
    );
    expect(pipeline.params.strength).toBe(10);
  });
});
