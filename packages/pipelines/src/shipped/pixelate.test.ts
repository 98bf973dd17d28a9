import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { type Frame, i420Planes } from '../frames/Frame.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

/**
 * Checks that every `block`-square block of `plane` (width `w`, height `h`; blocks at the right
 * and bottom may be partial) is uniform and equals the input block's mean within 0.5.
 */
function expectBlocksUniformWithMean(
  input: Uint8Array,
  output: Uint8Array,
  w: number,
  h: number,
  block: number,
): void {
  for (let by = 0; by < h; by += block) {
    for (let bx = 0; bx < w; bx += block) {
      let sum = 0;
      let count = 0;
      const values = new Set<number>();
      for (let y = by; y < Math.min(by + block, h); y++) {
        for (let x = bx; x < Math.min(bx + block, w); x++) {
          sum += input[y * w + x] as number;
          count++;
          values.add(output[y * w + x] as number);
        }
      }
      expect(values.size, `block at ${bx},${by}`).toBe(1);
      expect(
        Math.abs(([...values][0] as number) - sum / count),
        `block at ${bx},${by}`,
      ).toBeLessThanOrEqual(0.5);
    }
  }
}

function expectPixelated(input: Frame, output: Frame, block: number): void {
  const a = i420Planes(input);
  const b = i420Planes(output);
  const { widthPx: w, heightPx: h } = input;
  expectBlocksUniformWithMean(a.y, b.y, w, h, block);
  expectBlocksUniformWithMean(a.u, b.u, w / 2, h / 2, block / 2);
  expectBlocksUniformWithMean(a.v, b.v, w / 2, h / 2, block / 2);
}

/** Busy content: every channel changes every pixel. */
const busy = (w: number, h: number) =>
  rgbFrame(w, h, (x, y) => [(x * 37 + y * 11) % 256, (x * 5 + y * 23) % 256, (x * y) % 256]);

describe('pixelate', () => {
  let pipeline: WorkflowPipeline;
  beforeAll(async () => {
    pipeline = await createShippedPipeline('pixelate', { blockSizePx: 8 });
  });
  afterAll(() => pipeline.close());

  it('makes every block uniform and keeps its mean, luma and chroma blocks aligned', async () => {
    const frame = busy(64, 48);
    expectPixelated(frame, await pipeline.process(frame), 8);
  });

  it('averages the partial blocks at the right and bottom edges over their real pixels', async () => {
    const frame = busy(70, 46); // 8 · 8 + 6 wide, 8 · 5 + 6 high
    expectPixelated(frame, await pipeline.process(frame), 8);
  });

  it('update() swaps in a session for another block size between frames', async () => {
    const frame = busy(64, 64);
    await pipeline.update({ blockSizePx: 16 });
    expect(pipeline.params.blockSizePx).toBe(16);
    expectPixelated(frame, await pipeline.process(frame), 16);
    await pipeline.update({ blockSizePx: 2 });
    expectPixelated(frame, await pipeline.process(frame), 2);
    await pipeline.update({ blockSizePx: 8 });
  });

  it('rejects odd or out-of-range block sizes, naming the field and its limit', async () => {
    await expect(pipeline.update({ blockSizePx: 7 })).rejects.toThrow(
      'The pixelate param blockSizePx must be an integer in 2..256 and a multiple of 2; got 7',
    );
    await expect(pipeline.update({ blockSizePx: 512 })).rejects.toThrow('2..256');
    expect(pipeline.params.blockSizePx).toBe(8);
  });
});
