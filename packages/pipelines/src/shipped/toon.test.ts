import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { lumaAt, type Rgb, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

/** Distinct luma values over the pixels of `frame` where `inside(x, y)`. */
function distinctLuma(
  frame: Awaited<ReturnType<WorkflowPipeline['process']>>,
  inside: (x: number, y: number) => boolean = () => true,
): Set<number> {
  const values = new Set<number>();
  for (let y = 0; y < frame.heightPx; y++) {
    for (let x = 0; x < frame.widthPx; x++) if (inside(x, y)) values.add(lumaAt(frame, x, y));
  }
  return values;
}

const palette: readonly Rgb[] = [
  [200, 40, 40],
  [40, 200, 40],
  [40, 40, 200],
  [210, 200, 30],
];

describe('toon', () => {
  let pipeline: WorkflowPipeline;
  beforeAll(async () => {
    pipeline = await createShippedPipeline('toon', { levels: 4, edgeStrength: 0 });
  });
  afterAll(() => pipeline.close());

  it('posterises a grey ramp and a red ramp to at most `levels` luma values', async () => {
    const grey = await pipeline.process(rgbFrame(256, 16, (x) => [x, x, x]));
    const greyValues = distinctLuma(grey);
    expect(greyValues.size).toBe(4);
    // 0, 85, 170, 255 in RGB → Y = 16 + 219 · q / 255.
    expect([...greyValues].sort((a, b) => a - b)).toEqual([16, 89, 162, 235]);
    const red = await pipeline.process(rgbFrame(256, 16, (x) => [x, 60, 100]));
    expect(distinctLuma(red).size).toBeLessThanOrEqual(4);
    await pipeline.update({ levels: 2 });
    expect(distinctLuma(await pipeline.process(rgbFrame(256, 16, (x) => [x, x, x]))).size).toBe(2);
    await pipeline.update({ levels: 4 });
  });

  it('keeps flat colour regions flat, outlines their borders with edgeStrength', async () => {
    const blocks = rgbFrame(
      128,
      64,
      (x, y) => palette[Math.floor(x / 32) + 4 * Math.floor(y / 64)] as Rgb,
    );
    const interior = (x: number, y: number) => x % 32 >= 3 && x % 32 <= 28 && y >= 2 && y < 62;
    const plain = await pipeline.process(blocks);
    for (let block = 0; block < 4; block++) {
      const values = distinctLuma(plain, (x, y) => interior(x, y) && Math.floor(x / 32) === block);
      expect(values.size).toBe(1);
    }
    await pipeline.update({ edgeStrength: 1 });
    const outlined = await pipeline.process(blocks);
    // Borders between blocks (columns 31/32, 63/64, 95/96) get darker; interiors do not change.
    for (const x of [31, 32, 63, 64, 95, 96]) {
      expect(lumaAt(outlined, x, 30)).toBeLessThanOrEqual(Math.max(16, lumaAt(plain, x, 30) - 20));
    }
    const { y: plainY } = i420Planes(plain);
    const { y: outlinedY } = i420Planes(outlined);
    for (let i = 0; i < plainY.length; i++) {
      const x = i % 128;
      const y = Math.floor(i / 128);
      if (interior(x, y)) expect(outlinedY[i]).toBe(plainY[i]);
    }
  });

  it('rejects levels outside 2..32', async () => {
    await expect(pipeline.update({ levels: 1 })).rejects.toThrow(
      'The toon param levels must be an integer in 2..32; got 1',
    );
    await expect(pipeline.update({ levels: 4.5 })).rejects.toThrow('must be an integer');
  });
});
