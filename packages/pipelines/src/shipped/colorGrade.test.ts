import { defaultPipelineParams } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { maxDifference, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { colorGradeFilter, colorGradeTransform } from '../nodes/filters/colorGradeFilter.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

/** Gradients in every channel, all within 8..247 (inside the BT.601 gamut). */
const colourful = rgbFrame(96, 64, (x, y) => [8 + x * 2.5, 8 + y * 3.7, 247 - (x + y) * 1.4], 42);

describe('color-grade', () => {
  let pipeline: WorkflowPipeline;
  beforeAll(async () => {
    pipeline = await createShippedPipeline('color-grade');
  });
  afterAll(() => pipeline.close());

  it('defaults to the identity transform', () => {
    const { rgbGrade, exponents } = colorGradeTransform(
      defaultPipelineParams(colorGradeFilter.paramsSchema),
    );
    for (const [i, value] of rgbGrade.matrix.entries()) {
      expect(value).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12);
    }
    for (const value of rgbGrade.offset) expect(value).toBeCloseTo(0, 12);
    expect(exponents).toEqual([1, 1, 1]);
  });

  it('returns the input within 1 with identity params', async () => {
    const out = await pipeline.process(colourful);
    const a = i420Planes(colourful);
    const b = i420Planes(out);
    expect(out.timestampUs).toBe(42);
    expect(maxDifference(a.y, b.y)).toBeLessThanOrEqual(1);
    expect(maxDifference(a.u, b.u)).toBeLessThanOrEqual(1);
    expect(maxDifference(a.v, b.v)).toBeLessThanOrEqual(1);
  });

  it('gives U = V = 128 at saturation 0 and keeps luma; update() applies between frames', async () => {
    await pipeline.update({ saturation: 0 });
    const out = await pipeline.process(colourful);
    const { y, u, v } = i420Planes(out);
    expect(new Set(u)).toEqual(new Set([128]));
    expect(new Set(v)).toEqual(new Set([128]));
    expect(maxDifference(y, i420Planes(colourful).y)).toBeLessThanOrEqual(1);
    await pipeline.update({ saturation: 1 });
  });

  it('warms with temperature, brightens mid-tones with gamma, flattens with contrast 0', async () => {
    const grey = rgbFrame(32, 32, () => [128, 128, 128]);
    const at = async (params: Record<string, number>) => {
      await pipeline.update({ saturation: 1, contrast: 1, temperature: 0, gamma: 1, ...params });
      const { y, u, v } = i420Planes(await pipeline.process(grey));
      return { y: y[0] as number, u: u[0] as number, v: v[0] as number };
    };
    const neutral = await at({});
    const warm = await at({ temperature: 1 });
    expect(warm.v).toBeGreaterThan(neutral.v + 5); // more red
    expect(warm.u).toBeLessThan(neutral.u - 5); // less blue
    expect((await at({ gamma: 2 })).y).toBeGreaterThan(neutral.y + 20);
    await pipeline.update({ contrast: 0, temperature: 0, gamma: 1 });
    const flat = await pipeline.process(colourful);
    expect(new Set(i420Planes(flat).y).size).toBe(1);
    await pipeline.update({ contrast: 1 });
  });

  it('rejects bad params, naming the field and its limit', async () => {
    await expect(pipeline.update({ gamma: 0 })).rejects.toThrow(
      'The color-grade param gamma must be a number in 0.2..5; got 0',
    );
    await expect(pipeline.update({ saturation: '1' })).rejects.toThrow('saturation');
    expect(pipeline.params.gamma).toBe(1);
  });
});
