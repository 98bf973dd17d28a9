import { describe, expect, it } from 'vitest';
import { photoFrame } from '../../fixtures/photoRegions.ts';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { cropI420FromEven, padI420ToEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import { InvalidFrameError, PipelineClosedError } from '../pipeline/errors.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';

const frame = rgbFrame(64, 64, (x, y) => [(x * 4) % 256, (y * 4) % 256, 128]);

/** Whether the luma plane is made of `block`-square uniform blocks. */
function isBlocky(out: Frame, block: number): boolean {
  const { y } = i420Planes(out);
  for (let row = 0; row < out.heightPx; row++) {
    for (let col = 0; col < out.widthPx; col++) {
      const first = y[(row - (row % block)) * out.widthPx + col - (col % block)];
      if (y[row * out.widthPx + col] !== first) return false;
    }
  }
  return true;
}

describe('the procedural filters (shipped manifests)', () => {
  it('registers sketch, toon, color-grade and pixelate, each creating a ready pipeline', async () => {
    const registry = defaultPipelineRegistry();
    for (const name of ['sketch', 'toon', 'color-grade', 'pixelate']) {
      const pipeline = await registry.create(name);
      expect(pipeline.name).toBe(name);
      expect(pipeline.state).toBe('ready');
      const out = await pipeline.process(frame);
      expect(out.data.length).toBe(i420ByteLength(64, 64));
      await pipeline.close();
      expect(pipeline.state).toBe('closed');
    }
  });

  it('gives each filter its look on the person photo', async () => {
    const photo = photoFrame(192, 192);
    const registry = defaultPipelineRegistry();
    const run = async (name: string, params = {}) => {
      const pipeline = await registry.create(name, params);
      try {
        return i420Planes(await pipeline.process(photo));
      } finally {
        await pipeline.close();
      }
    };
    const share = (plane: Uint8Array, test: (value: number) => boolean) =>
      plane.reduce((count, value) => count + (test(value) ? 1 : 0), 0) / plane.length;

    // sketch: mostly paper, with lines.
    const sketch = await run('sketch');
    expect(share(sketch.y, (value) => value === 235)).toBeGreaterThan(0.4);
    expect(share(sketch.y, (value) => value < 128)).toBeGreaterThan(0.02);
    // toon without outlines, 2 levels: at most 8 RGB colours, so at most 8 luma values.
    const toon = await run('toon', { levels: 2, edgeStrength: 0 });
    expect(new Set(toon.y).size).toBeLessThanOrEqual(8);
    expect(new Set(i420Planes(photo).y).size).toBeGreaterThan(100);
    // color-grade at saturation 0: grey.
    const grey = await run('color-grade', { saturation: 0 });
    expect(new Set([...grey.u, ...grey.v])).toEqual(new Set([128]));
    // pixelate 32: 36 blocks, so at most 36 luma values.
    expect(new Set((await run('pixelate', { blockSizePx: 32 })).y).size).toBeLessThanOrEqual(36);
  });

  it('keeps frames flowing while a new session is built, then switches between two frames', async () => {
    const pipeline = await createShippedPipeline('pixelate', { blockSizePx: 4 });
    const update = pipeline.update({ blockSizePx: 32 });
    const during = await pipeline.process(frame); // runs on the old session meanwhile
    expect(isBlocky(during, 4)).toBe(true);
    await update;
    const after = await pipeline.process(frame);
    expect(isBlocky(after, 32)).toBe(true);
    expect(isBlocky(after, 4) && !isBlocky(after, 32)).toBe(false);
    await pipeline.close();
  });

  it('applies queued updates in order and builds on the last accepted params', async () => {
    const pipeline = await createShippedPipeline('pixelate');
    await Promise.all([pipeline.update({ blockSizePx: 8 }), pipeline.update({ blockSizePx: 2 })]);
    expect(pipeline.params.blockSizePx).toBe(2);
    await pipeline.close();
  });

  it('takes odd frame sizes, refuses use after close; close is idempotent', async () => {
    const pipeline = await createShippedPipeline('pixelate');
    const odd = cropI420FromEven(frame, 63, 63);
    const out = await pipeline.process(odd);
    expect([out.widthPx, out.heightPx]).toEqual([63, 63]);
    expect(Array.from(out.data)).toEqual(
      Array.from(cropI420FromEven(await pipeline.process(padI420ToEven(odd)), 63, 63).data),
    );
    await expect(pipeline.process({ ...odd, widthPx: 62 })).rejects.toBeInstanceOf(
      InvalidFrameError,
    );
    await pipeline.close();
    await pipeline.close();
    await expect(pipeline.process(frame)).rejects.toBeInstanceOf(PipelineClosedError);
    await expect(pipeline.update({ blockSizePx: 4 })).rejects.toBeInstanceOf(PipelineClosedError);
  });
});
