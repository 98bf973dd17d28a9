import { describe, expect, it } from 'vitest';
import { runWorkflowOnce } from '../../fixtures/runWorkflowOnce.ts';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import { overBlackByMask } from '../workflow/fixtures/workflowParts.ts';
import { WorkflowPlan } from '../workflow/WorkflowPlan.ts';
import type { RuntimeValue, Workflow } from '../workflow/WorkflowTypes.ts';
import { drawDetections } from './DrawDetections.ts';

const _registry = defaultNodeRegistry();
const sessionOptions = { intraOpNumThreads: 1 };

const runOnce = runWorkflowOnce;

const through = (classType: string, inputs: Record<string, unknown>): Workflow => ({
  in: { class_type: 'LoadTensor', inputs: {} },
  n: { class_type: classType, inputs: { image: ['in', 0], ...inputs } },
  out: { class_type: 'SaveTensor', inputs: { images: ['n', 0] } },
});

describe('image nodes', () => {
  it('ImageScale resizes; a flat colour stays that colour, a left/right split stays split', async () => {
    const frame = rgbFrame(64, 48, (x) => (x < 32 ? [200, 40, 40] : [40, 40, 200]));
    for (const method of ['nearest-exact', 'bilinear', 'bicubic']) {
      const out = await runOnce(
        through('ImageScale', { upscale_method: method, width: 32, height: 96, crop: 'disabled' }),
        frame,
      );
      expect([out.widthPx, out.heightPx]).toEqual([32, 96]);
      const source = i420Planes(frame);
      const scaled = i420Planes(out);
      expect(scaled.y[5 * 32 + 2]).toBe(source.y[0]);
      expect(scaled.y[90 * 32 + 29]).toBe(source.y[63]);
      expect(scaled.v[10 * 16 + 1]).toBe(source.v[0]);
    }
  });

  it('ImageBlur smooths a step and keeps flat areas', async () => {
    const frame = rgbFrame(64, 64, (x) => (x < 32 ? [16, 16, 16] : [235, 235, 235]));
    const out = i420Planes(
      await runOnce(through('ImageBlur', { blur_radius: 4, sigma: 3 }), frame),
    );
    const row = Array.from(out.y.subarray(32 * 64, 33 * 64));
    expect(row[2]).toBe(i420Planes(frame).y[2]);
    expect(row[61]).toBe(i420Planes(frame).y[61]);
    const ramp = row.slice(28, 36);
    expect(ramp.every((value, i) => i === 0 || value >= (ramp[i - 1] as number))).toBe(true);
    expect(new Set(ramp).size).toBeGreaterThan(4); // a ramp, not a step
  });

  it('ImageToTensor normalises and lays out NHWC; TensorToMask takes a channel back', async () => {
    const frame = rgbFrame(32, 32, () => [255, 0, 0]);
    const workflow: Workflow = {
      in: { class_type: 'LoadTensor', inputs: {} },
      t: {
        class_type: 'ImageToTensor',
        inputs: { image: ['in', 0], width: 8, height: 4, mean: 0.5, std: 0.5, layout: 'NHWC' },
      },
      m: { class_type: 'TensorToMask', inputs: { tensor: ['t', 0], channel: 0, layout: 'NHWC' } },
      ...overBlackByMask('m'),
    };
    // Red: R = (1 − 0.5) / 0.5 = 1 in channel 0 → mask 1 → the frame itself.
    const out = await runOnce(workflow, frame);
    expect(
      Math.max(...Array.from(out.data, (v, i) => Math.abs(v - (frame.data[i] as number)))),
    ).toBeLessThanOrEqual(1);
    // Channel 1 (G = −1, clipped to 0) → mask 0 → black.
    const black = await runOnce(
      {
        ...workflow,
        m: { class_type: 'TensorToMask', inputs: { tensor: ['t', 0], channel: 1, layout: 'NHWC' } },
      },
      frame,
    );
    expect(i420Planes(black).y.every((v) => v === 16)).toBe(true);
  });

  it('DrawDetections outlines boxes and marks keypoints, clipped to the frame', () => {
    const frame = rgbFrame(32, 32, () => [128, 128, 128]);
    const out = drawDetections(
      frame,
      [
        { xMinPx: 4, yMinPx: 4, widthPx: 10, heightPx: 10 },
        { xMinPx: 28, yMinPx: 28, widthPx: 20, heightPx: 20 },
      ],
      [[{ xPx: 20, yPx: 20 }]],
      { color: '#ffffff', thicknessPx: 1 },
    );
    const { y } = i420Planes(out);
    const at = (x: number, row: number) => y[row * 32 + x];
    expect(at(4, 4)).toBe(235); // corner
    expect(at(13, 9)).toBe(235); // right edge
    expect(at(8, 8)).toBe(i420Planes(frame).y[0]); // inside: untouched
    expect(at(20, 20)).toBe(235); // keypoint
    expect(at(31, 28)).toBe(235); // the clipped box's top edge
    expect(out.data).not.toBe(frame.data); // a copy
    expect(i420Planes(frame).y[4 * 32 + 4]).not.toBe(235);
  });

  it('JS nodes see the literals of live updates', async () => {
    const registryWithProbe = defaultNodeRegistry().register({
      classType: 'Probe',
      kind: 'js',
      description: 'Passes the image on; records the literal it ran with.',
      inputs: {
        image: { type: 'IMAGE', description: 'image' },
        tag: { type: 'INT', default: 0, min: 0, max: 9, description: 'tag' },
      },
      outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
      async prepare() {
        return {
          run: async (inputs, literals) => {
            seen.push(literals.tag as number);
            return [inputs.image as RuntimeValue];
          },
          close: async () => {},
        };
      },
    });
    const seen: number[] = [];
    const plan = await WorkflowPlan.compile(through('Probe', { tag: 1 }), {
      registry: registryWithProbe,
      sessionOptions,
    });
    try {
      const frame = rgbFrame(8, 8, () => [0, 0, 0]);
      await plan.run(frame);
      const next = (await import('../workflow/validateWorkflow.ts')).validateWorkflow(
        through('Probe', { tag: 7 }),
        registryWithProbe,
      );
      expect(plan.canApplyLive(next)).toBe(true);
      const updated = plan.withLiterals(next);
      await updated.run(frame);
      await plan.run(frame); // the old view keeps its literals
      expect(seen).toEqual([1, 7, 1]);
    } finally {
      await plan.close();
    }
  });
});
