import { readFileSync } from 'node:fs';
import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceInvert } from '../../fixtures/referenceInvert.ts';
import { createShippedPipeline } from '../../fixtures/shippedPipeline.ts';
import { lumaAt, maxDifference, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

const corpus = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/comfystream/${file}`, import.meta.url), 'utf8'));
const invert = corpus('load-image-invert-preview-api.json');
const flip = corpus('primary-input-flip-save-api.json');
const frame = rgbFrame(64, 48, (x, y) => [x * 3, y * 4, 120]);
const inverted = referenceInvert(frame);

describe('comfyui: the workflow is the prompt param (ai-runner)', () => {
  let pipeline: WorkflowPipeline;
  beforeAll(async () => {
    // ai-runner's live request body: { pipeline: 'comfyui', params: { prompt, width, height } }.
    pipeline = await createShippedPipeline('comfyui', {
      prompt: invert,
      width: 512,
      height: 512,
      show_reloading_frame: true,
    });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('runs the workflow it was sent, with ComfyStream conventions', async () => {
    expect(maxDifference((await pipeline.process(frame)).data, inverted.data)).toBeLessThanOrEqual(
      1,
    );
  });

  it('takes the prompt as JSON text too, and replaces the whole param set on each update', async () => {
    await pipeline.update({ prompt: JSON.stringify(flip) });
    const flipped = await pipeline.process(frame);
    expect(lumaAt(flipped, 5, 0)).toBe(lumaAt(frame, 5, 47));
    expect(pipeline.params).toMatchObject({ width: 512, height: 512, show_reloading_frame: true });
    // An update without a prompt brings back the default workflow: the frame as it is.
    await pipeline.update({ width: 768 });
    expect(pipeline.params.width).toBe(768);
    expect(Array.from((await pipeline.process(frame)).data)).toEqual(Array.from(frame.data));
    await pipeline.update({ prompt: invert, show_reloading_frame: false });
    expect(maxDifference((await pipeline.process(frame)).data, inverted.data)).toBeLessThanOrEqual(
      1,
    );
    expect(pipeline.params.width).toBe(512);
  });

  it('refuses a workflow it cannot run, naming what is missing, and keeps the one it runs', async () => {
    const generative = corpus('depth-controlnet-sd-tensorrt-api.json');
    const refused = pipeline.update({ prompt: generative });
    await expect(refused).rejects.toThrow(InvalidPipelineParamsError);
    await expect(refused).rejects.toThrow(
      /The comfyui params make an invalid workflow: Unsupported node types: needs a model\/GPU node \(10\): DepthAnythingTensorrt/,
    );
    await expect(pipeline.update({ prompt: corpus('ui-format-invert.json') })).rejects.toThrow(
      /Save \(API Format\)/,
    );
    await expect(pipeline.update({ prompt: [invert, flip] })).rejects.toThrow(/one workflow only/);
    await expect(pipeline.update({ prompt: '{"1": ' })).rejects.toThrow(/JSON text is not JSON/);
    await expect(pipeline.update({ width: 500 })).rejects.toThrow(/multiple of 64/);
    await expect(pipeline.update({ seed: 4 })).rejects.toThrow(/has no param "seed"/);
    expect(maxDifference((await pipeline.process(frame)).data, inverted.data)).toBeLessThanOrEqual(
      1,
    );
  });
});
