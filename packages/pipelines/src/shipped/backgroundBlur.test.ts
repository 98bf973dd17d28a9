import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backgroundBoxes,
  laplacianEnergy,
  meanLumaDifference,
  person,
  photoFrame,
} from '../../fixtures/photoRegions.ts';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { cropI420FromEven, padI420ToEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import { InvalidFrameError, PipelineClosedError } from '../pipeline/errors.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

/** How much of the input's high-frequency energy is left, in the person and in the background. */
function sharpness(input: Frame, output: Frame) {
  return {
    person: laplacianEnergy(output, [person]) / laplacianEnergy(input, [person]),
    background: laplacianEnergy(output, backgroundBoxes) / laplacianEnergy(input, backgroundBoxes),
  };
}

describe('background-blur (shipped manifest)', () => {
  let pipeline: WorkflowPipeline;
  const frame512 = photoFrame(512, 512);

  beforeAll(async () => {
    pipeline = await createShippedPipeline('background-blur');
  });
  afterAll(async () => {
    await pipeline.close();
  });

  it('keeps the person sharp and blurs the background at 512×512', async () => {
    expect(pipeline.state).toBe('ready');
    expect(pipeline.params).toEqual({
      blurRadiusPx: 12,
      maskThreshold: 0.5,
      edgeSoftness: 0.5,
      model: 'general',
      // The voice effects on its sound, off by default.
      denoise: false,
      pitchSemitones: 0,
      gainDb: 0,
    });
    const output = await pipeline.process(frame512);
    expect(output).toMatchObject({
      widthPx: 512,
      heightPx: 512,
      format: 'i420',
      timestampUs: 42_000,
    });
    expect(output.data.byteLength).toBe(i420ByteLength(512, 512));
    expect(meanLumaDifference(frame512, output, person)).toBeLessThan(2);
    const left = sharpness(frame512, output);
    expect(left.person).toBeGreaterThan(0.9);
    expect(left.background).toBeLessThan(0.15);
    // Blurring keeps the background's average: no darkening, no colour cast.
    const mean = (f: Frame) => i420Planes(f).u.reduce((a, b) => a + b, 0) / i420Planes(f).u.length;
    expect(Math.abs(mean(output) - mean(frame512))).toBeLessThan(1);
  });

  it('works on 1280×720 frames', async () => {
    // The photo is upscaled 6.7× here, so it has little fine detail to begin with.
    const frame = photoFrame(1280, 720);
    const output = await pipeline.process(frame);
    expect(output).toMatchObject({ widthPx: 1280, heightPx: 720, timestampUs: 42_000 });
    const left = sharpness(frame, output);
    expect(left.person).toBeGreaterThan(0.9);
    expect(left.background).toBeLessThan(0.35);
  });

  it('applies params between frames without reloading the model', async () => {
    try {
      await pipeline.update({ blurRadiusPx: 2 });
      const light = sharpness(frame512, await pipeline.process(frame512)).background;
      await pipeline.update({ blurRadiusPx: 32 });
      const strong = sharpness(frame512, await pipeline.process(frame512)).background;
      expect(light).toBeGreaterThan(3 * strong);
      // At the highest threshold even the surest person pixels (probability 1) are only half
      // kept, so the person loses much of its detail too.
      await pipeline.update({ maskThreshold: 1, edgeSoftness: 0.01 });
      expect(pipeline.params).toMatchObject({
        blurRadiusPx: 32,
        maskThreshold: 1,
        edgeSoftness: 0.01,
      });
      expect(sharpness(frame512, await pipeline.process(frame512)).person).toBeLessThan(0.6);
    } finally {
      await pipeline.update({ blurRadiusPx: 12, maskThreshold: 0.5, edgeSoftness: 0.5 });
    }
  });

  it('changes the blur radius live: no new session, the pixels of a pipeline made with it', async () => {
    const plan = pipeline.plan;
    try {
      // 3, 12 and 20 px downscale 2×, 4× and 8× (gaussianBlurPlan): each a different graph once.
      for (const blurRadiusPx of [20, 3, 12]) {
        await pipeline.update({ blurRadiusPx });
        expect(pipeline.plan.sharesSessionsWith(plan)).toBe(true);
        const fresh = await createShippedPipeline('background-blur', { blurRadiusPx });
        try {
          const expected = await fresh.process(frame512);
          expect(Buffer.from((await pipeline.process(frame512)).data).equals(expected.data)).toBe(
            true,
          );
        } finally {
          await fresh.close();
        }
      }
    } finally {
      await pipeline.update({ blurRadiusPx: 12 });
    }
  });

  it('switches to the landscape model', async () => {
    await pipeline.update({ model: 'landscape' });
    try {
      const frame = photoFrame(512, 288);
      const left = sharpness(frame, await pipeline.process(frame));
      expect(left.person).toBeGreaterThan(0.9);
      expect(left.background).toBeLessThan(0.15);
    } finally {
      await pipeline.update({ model: 'general' });
    }
  });

  it('refuses bad params with the field and its limit, and keeps working', async () => {
    const before = pipeline.params;
    await expect(pipeline.update({ blurRadiusPx: 40 })).rejects.toThrow(InvalidPipelineParamsError);
    await expect(pipeline.update({ blurRadiusPx: 40 })).rejects.toThrow(
      'The background-blur param blurRadiusPx must be an integer in 1..32; got 40',
    );
    await expect(pipeline.update({ maskThreshold: 1.5 })).rejects.toThrow(
      'The background-blur param maskThreshold must be a number in 0..1; got 1.5',
    );
    await expect(pipeline.update({ model: 'tiny' })).rejects.toThrow(
      'must be one of "general", "landscape"',
    );
    await expect(pipeline.update({ radius: 3 })).rejects.toThrow('has no param "radius"');
    await expect(createShippedPipeline('background-blur', { edgeSoftness: 0 })).rejects.toThrow(
      'The background-blur param edgeSoftness must be a number in 0.01..1; got 0',
    );
    expect(pipeline.params).toEqual(before);
    expect((await pipeline.process(frame512)).widthPx).toBe(512);
  });

  it('processes an odd frame size as the next even size, cropped back', async () => {
    const even = photoFrame(66, 48);
    const odd = cropI420FromEven(even, 65, 47);
    const out = await pipeline.process(odd);
    expect([out.widthPx, out.heightPx]).toEqual([65, 47]);
    const reference = cropI420FromEven(await pipeline.process(padI420ToEven(odd)), 65, 47);
    expect(Array.from(out.data)).toEqual(Array.from(reference.data));
    await expect(pipeline.process({ ...odd, data: odd.data.subarray(1) })).rejects.toThrow(
      InvalidFrameError,
    );
  });

  it('is registered as background-blur and closes idempotently', async () => {
    const registry = defaultPipelineRegistry();
    expect(registry.names()).toContain('background-blur');
    const created = await registry.create('background-blur', { blurRadiusPx: 4 });
    expect((await created.process(photoFrame(64, 64))).widthPx).toBe(64);
    await created.close();
    await created.close();
    expect(created.state).toBe('closed');
    await expect(created.process(frame512)).rejects.toThrow(PipelineClosedError);
    await expect(created.update({})).rejects.toThrow(PipelineClosedError);
  });
});
