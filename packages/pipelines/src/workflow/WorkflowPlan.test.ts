import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { photoFrame } from '../../fixtures/photoRegions.ts';
import {
  inGamutBytes,
  referenceInvert,
  viewedInvertError,
} from '../../fixtures/referenceInvert.ts';
import { maxDifference, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { cropI420FromEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420Planes } from '../frames/Frame.ts';
import { isFrameBufferGiven } from '../frames/givenFrameBuffers.ts';
import type { Pipeline } from '../pipeline/Pipeline.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { WorkflowPipeline } from './WorkflowPipeline.ts';
import { WorkflowPlan } from './WorkflowPlan.ts';
import type { RuntimeValue, Workflow, WorkflowNode } from './WorkflowTypes.ts';

const registry = defaultNodeRegistry();
const sessionOptions = { intraOpNumThreads: 1 };

/** LoadTensor → `class_type` (with `inputs`) → SaveTensor. */
function oneNode(classType: string, inputs: Record<string, unknown> = {}): Workflow {
  return {
    in: { class_type: 'LoadTensor', inputs: {} },
    node: { class_type: classType, inputs: { image: ['in', 0], ...inputs } },
    out: { class_type: 'SaveTensor', inputs: { images: ['node', 0] } },
  };
}

async function withPlan<T>(workflow: unknown, use: (plan: WorkflowPlan) => Promise<T>): Promise<T> {
  const plan = await WorkflowPlan.compile(workflow, { registry, sessionOptions });
  try {
    return await use(plan);
  } finally {
    await plan.close();
  }
}

async function withPipeline<T>(pipeline: Pipeline, use: (p: Pipeline) => Promise<T>): Promise<T> {
  try {
    return await use(pipeline);
  } finally {
    await pipeline.close();
  }
}

/** Share of bytes that differ, and the largest difference. */
function compare(a: Frame, b: Frame): { differing: number; max: number } {
  let differing = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) differing++;
  return { differing: differing / a.data.length, max: maxDifference(a.data, b.data) };
}

const photo = photoFrame(192, 192);

describe('WorkflowPlan', () => {
  it('runs a ComfyStream workflow (inverted-color-api.json) unchanged: the invert in float64, within rounding', async () => {
    const workflow: unknown = JSON.parse(
      readFileSync(
        new URL('fixtures/comfystream-inverted-color-api.json', import.meta.url),
        'utf8',
      ),
    );
    const expected = referenceInvert(photo);
    const out = await withPlan(workflow, async (plan) => {
      expect(plan.steps).toEqual([{ kind: 'onnx', nodeIds: ['3'] }]);
      return plan.run(photo);
    });
    expect(out.timestampUs).toBe(photo.timestampUs);
    // Against the RGB reference (float64): where it clips no colour, at most one level apart
    // (float32 rounding); out of gamut the invert keeps the codes (see ImageInvert), so under 1 %
    // of the bytes differ, and a viewer sees exactly 255 − what it saw everywhere.
    const inGamut = inGamutBytes(photo);
    const inGamutOnly = (frame: Frame): Frame => ({
      ...frame,
      data: frame.data.map((value, i) => (inGamut[i] ? value : 0)),
    });
    expect(compare(inGamutOnly(out), inGamutOnly(expected)).max).toBeLessThanOrEqual(1);
    expect(compare(out, expected).differing).toBeLessThan(0.01);
    expect(viewedInvertError(photo, out)).toEqual({ max: expect.closeTo(0, 6), saturated: 0 });
    expect(compare(out, photo).max).toBeGreaterThan(100);
  });

  it.each([
    ['SketchFilter', 'sketch', { strength: 6, threshold: 0.05 }],
    ['ToonFilter', 'toon', { levels: 4, edgeStrength: 0.5 }],
    [
      'ColorGrade',
      'color-grade',
      { saturation: 1.5, contrast: 1.2, brightness: 0.05, temperature: 0.3, gamma: 1.4 },
    ],
    ['Pixelate', 'pixelate', { blockSizePx: 8 }],
  ])('%s gives the same pixels as the built-in %s pipeline', async (classType, name, params) => {
    const expected = await withPipeline(await defaultPipelineRegistry().create(name, params), (p) =>
      p.process(photo),
    );
    const out = await withPlan(oneNode(classType, params), (plan) => plan.run(photo));
    expect(compare(out, expected)).toEqual({ differing: 0, max: 0 });
  });

  it('gives the caller the buffer of an output it made for that frame alone, and only that', async () => {
    // An ONNX step's image: a new buffer each run, the caller's to keep or transfer.
    const inverted = await withPlan(oneNode('ImageInvert'), (plan) => plan.run(photo));
    expect(isFrameBufferGiven(inverted.data)).toBe(true);
    expect(isFrameBufferGiven(photo.data)).toBe(false);
    // Odd sizes come back cropped into a new buffer.
    const odd = cropI420FromEven(photo, 191, 191);
    const cropped = await withPlan(oneNode('ImageInvert'), (plan) => plan.run(odd));
    expect(isFrameBufferGiven(cropped.data)).toBe(true);
    // The input passed through is the caller's own already.
    const passed = await withPlan(
      {
        in: { class_type: 'LoadTensor', inputs: {} },
        out: { class_type: 'SaveTensor', inputs: { images: ['in', 0] } },
      },
      (plan) => plan.run(photo),
    );
    expect(isFrameBufferGiven(passed.data)).toBe(false);
    // An image that passed through a JS node, which may keep it for its next frame: not given.
    const kept: Frame[] = [];
    const withKeeper = defaultNodeRegistry().register({
      classType: 'KeepImage',
      kind: 'js',
      description: 'Keeps the image it saw (as a temporal node would).',
      inputs: { image: { type: 'IMAGE', description: 'image' } },
      outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
      async prepare() {
        return {
          run: async (inputs) => {
            const image = inputs.image as RuntimeValue & { type: 'IMAGE' };
            kept.push(image.frame);
            return [image];
          },
          close: async () => {},
        };
      },
    });
    const plan = await WorkflowPlan.compile(
      {
        in: { class_type: 'LoadTensor', inputs: {} },
        invert: { class_type: 'ImageInvert', inputs: { image: ['in', 0] } },
        keep: { class_type: 'KeepImage', inputs: { image: ['invert', 0] } },
        out: { class_type: 'SaveTensor', inputs: { images: ['keep', 0] } },
      },
      { registry: withKeeper, sessionOptions },
    );
    try {
      const out = await plan.run(photo);
      expect(kept[0]?.data).toBe(out.data);
      expect(isFrameBufferGiven(out.data)).toBe(false);
    } finally {
      await plan.close();
    }
  });

  it('fuses a chain of ONNX image nodes into one session', async () => {
    const workflow: Workflow = {
      in: { class_type: 'LoadTensor', inputs: {} },
      crop: {
        class_type: 'ImageCrop',
        inputs: { image: ['in', 0], width: 128, height: 96, x: 32, y: 16 },
      },
      scale: {
        class_type: 'ImageScale',
        inputs: {
          image: ['crop', 0],
          upscale_method: 'bilinear',
          width: 64,
          height: 48,
          crop: 'disabled',
        },
      },
      blur: { class_type: 'ImageBlur', inputs: { image: ['scale', 0], blur_radius: 2, sigma: 1 } },
      grade: {
        class_type: 'ColorGrade',
        inputs: {
          image: ['blur', 0],
          saturation: 0,
          contrast: 1,
          brightness: 0,
          temperature: 0,
          gamma: 1,
        },
      },
      out: { class_type: 'SaveTensor', inputs: { images: ['grade', 0] } },
    };
    const out = await withPlan(workflow, async (plan) => {
      expect(plan.steps).toEqual([{ kind: 'onnx', nodeIds: ['crop', 'scale', 'blur', 'grade'] }]);
      expect(plan.outputSize({ widthPx: 192, heightPx: 192 })).toEqual({
        widthPx: 64,
        heightPx: 48,
      });
      return plan.run(photo);
    });
    expect([out.widthPx, out.heightPx]).toEqual([64, 48]);
    const { u, v } = i420Planes(out);
    // Saturation 0: grey.
    expect(
      Math.max(...u.map((x) => Math.abs(x - 128)), ...v.map((x) => Math.abs(x - 128))),
    ).toBeLessThanOrEqual(1);
  });

  it('crops losslessly', async () => {
    const frame = rgbFrame(64, 32, (x, y) => [x * 4, y * 8, 100]);
    const out = await withPlan(
      oneNode('ImageCrop', { width: 16, height: 8, x: 10, y: 4 }),
      (plan) => plan.run(frame),
    );
    expect([out.widthPx, out.heightPx]).toEqual([16, 8]);
    const source = i420Planes(frame);
    const cropped = i420Planes(out);
    for (let row = 0; row < 8; row++) {
      expect(Array.from(cropped.y.subarray(row * 16, row * 16 + 16))).toEqual(
        Array.from(source.y.subarray((row + 4) * 64 + 10, (row + 4) * 64 + 26)),
      );
    }
  });

  it('passes the frame itself through LoadTensor → SaveTensor', async () => {
    const workflow = {
      in: { class_type: 'LoadTensor', inputs: {} },
      out: { class_type: 'SaveTensor', inputs: { images: ['in', 0] } },
    };
    await withPlan(workflow, async (plan) => {
      expect(plan.steps).toEqual([]);
      expect(await plan.run(photo)).toBe(photo);
    });
  });
});

/** The person kept over a background that node `id` makes of the frame (`in`). */
function personOver(id: string, background: Workflow[string]): Workflow {
  return {
    in: { class_type: 'LoadTensor', inputs: {} },
    seg: { class_type: 'SelfieSegmentation', inputs: { image: ['in', 0], model: 'general' } },
    ramp: { class_type: 'MaskRamp', inputs: { mask: ['seg', 0], threshold: 0.5, softness: 0.5 } },
    [id]: background,
    mix: {
      class_type: 'ImageCompositeMasked',
      inputs: {
        destination: [id, 0],
        source: ['in', 0],
        x: 0,
        y: 0,
        resize_source: false,
        mask: ['ramp', 0],
      },
    },
    out: { class_type: 'SaveTensor', inputs: { images: ['mix', 0] } },
  };
}

/** The background-blur pipeline as a workflow of separate nodes. */
const backgroundBlurWorkflow = personOver('blur', {
  class_type: 'ImageBlur',
  inputs: { image: ['in', 0], blur_radius: 12, sigma: 6 },
});

/** The person kept over a solid colour (`background-replace`'s colour case). */
const solidBackgroundWorkflow = personOver('blur', {
  class_type: 'SolidColorImage',
  inputs: { image: ['in', 0], color: '#00b140' },
});

/** The person kept, the background drawn as a sketch (the sketch asks for level 'extended'). */
const backgroundSketchWorkflow = personOver('sketch', {
  class_type: 'SketchFilter',
  inputs: { image: ['in', 0], strength: 4, threshold: 0.08 },
});

describe('WorkflowPipeline', () => {
  it('gives the pixels of the built-in background-blur from segmentation, ramp, blur and composite nodes', async () => {
    const frame = photoFrame(256, 256);
    const builtIn = await defaultPipelineRegistry().create('background-blur', { blurRadiusPx: 12 });
    const expected = await withPipeline(builtIn, (p) => p.process(frame));
    const pipeline = await WorkflowPipeline.create({
      name: 'blur-workflow',
      description: 'test',
      workflow: backgroundBlurWorkflow,
    });
    const out = await withPipeline(pipeline, async (p) => {
      // One session on CPU too, as the built-in pipeline: the blur's Convs take fed weights, which
      // the network's level 'all' cannot re-layout, so the blur asks for no level of its own.
      expect((p as WorkflowPipeline).plan.steps).toEqual([
        { kind: 'onnx', nodeIds: ['blur', 'seg', 'ramp', 'mix'] },
      ]);
      return p.process(frame);
    });
    const { differing, max } = compare(out, expected);
    expect(max).toBeLessThanOrEqual(1);
    expect(differing).toBeLessThan(0.001);
    expect(compare(out, frame).max).toBeGreaterThan(20);
  });

  it('composites a blur or a colour under the frame outside the graph on CPU, with the pixels of the graph path', async () => {
    // UpsampledComposite (WebAssembly) against the ONNX graph a GPU plan keeps: 2×, 4× and 8×
    // blurs (sigma 1.5, 6, 14), frame sides that no upsample divides, a soft and a hard mask, and
    // a solid colour.
    const cases = [
      { size: [256, 256], sigma: 6, softness: 0.5 },
      { size: [98, 70], sigma: 1.5, softness: 0.5 },
      { size: [320, 180], sigma: 14, softness: 0.05 },
      // A solid colour is a 1×1 image upsampled (background-replace's colour).
      { size: [160, 120], sigma: 0, softness: 0.3 },
    ] as const;
    for (const { size, sigma, softness } of cases) {
      const workflow = structuredClone(
        sigma === 0 ? solidBackgroundWorkflow : backgroundBlurWorkflow,
      ) as Record<string, WorkflowNode>;
      const set = (id: string, inputs: Record<string, unknown>) => {
        const node = workflow[id] as WorkflowNode;
        workflow[id] = { ...node, inputs: { ...node.inputs, ...inputs } };
      };
      if (sigma !== 0) set('blur', { sigma });
      set('ramp', { softness });
      const outside = await WorkflowPlan.compile(workflow, { registry, sessionOptions });
      const inGraph = await WorkflowPlan.compile(workflow, {
        registry,
        sessionOptions,
        compositesOutside: false,
      });
      try {
        expect(outside.compositedOutside).toEqual(['mix']);
        expect(inGraph.compositedOutside).toEqual([]);
        const frame = photoFrame(size[0], size[1]);
        // Twice: the kernel's memory is laid out on the first frame of a size.
        for (const _ of [1, 2]) {
          const out = await outside.run(frame);
          const { differing, max } = compare(out, await inGraph.run(frame));
          expect(max).toBeLessThanOrEqual(1);
          expect(differing).toBeLessThan(0.001);
          expect(compare(out, frame).max).toBeGreaterThan(20);
        }
      } finally {
        await outside.close();
        await inGraph.close();
      }
    }
  });

  it('keeps every ONNX node in one session as a GPU plan does (levels fused), with the same pixels', async () => {
    // What a CUDA or WebGPU plan builds: no split by optimisation level, so no tensor leaves the
    // device between the sketch (level 'extended': constant 1-channel Sobel weights) and the
    // network. Run here on CPU, which only CPU can do here.
    const frame = photoFrame(256, 256);
    const split = await WorkflowPlan.compile(backgroundSketchWorkflow, {
      registry,
      sessionOptions,
    });
    const fused = await WorkflowPlan.compile(backgroundSketchWorkflow, {
      registry,
      sessionOptions,
      fuseOptimizationLevels: true,
    });
    try {
      expect(fused.steps).toEqual([{ kind: 'onnx', nodeIds: ['sketch', 'seg', 'ramp', 'mix'] }]);
      expect(split.steps).toEqual([
        { kind: 'onnx', nodeIds: ['sketch'] },
        { kind: 'onnx', nodeIds: ['seg', 'ramp', 'mix'] },
      ]);
      const { differing, max } = compare(await fused.run(frame), await split.run(frame));
      expect(max).toBeLessThanOrEqual(1);
      expect(differing).toBeLessThan(0.001);
      expect(fused.executionProviders).toEqual(['cpu']);
    } finally {
      await split.close();
      await fused.close();
    }
  });

  it('applies fed params live and rebuilds the plan for params that shape the graph', async () => {
    const pipeline = await WorkflowPipeline.create(
      {
        name: 'sketchy',
        description: 'test',
        workflow: {
          in: { class_type: 'LoadTensor', inputs: {} },
          px: { class_type: 'Pixelate', inputs: { image: ['in', 0], blockSizePx: 2 } },
          sk: {
            class_type: 'SketchFilter',
            inputs: { image: ['px', 0], strength: 4, threshold: 0.08 },
          },
          out: { class_type: 'SaveTensor', inputs: { images: ['sk', 0] } },
        },
        paramsSchema: {
          strength: { type: 'number', default: 4, min: 0, max: 20, description: 'ink' },
          block: {
            type: 'integer',
            default: 2,
            min: 2,
            max: 64,
            multipleOf: 2,
            description: 'block',
          },
        },
        bindings: { strength: [['sk', 'strength']], block: [['px', 'blockSizePx']] },
      },
      { sessionOptions },
    );
    await withPipeline(pipeline, async (p) => {
      const workflowPipeline = p as WorkflowPipeline;
      const first = await p.process(photo);
      const plan = workflowPipeline.plan;
      await p.update({ strength: 0 });
      expect(workflowPipeline.plan.sharesSessionsWith(plan)).toBe(true); // live: new feeds only
      const blank = i420Planes(await p.process(photo));
      expect(blank.y.every((value) => value === 235)).toBe(true);
      expect(i420Planes(first).y.some((value) => value < 128)).toBe(true);
      await p.update({ strength: 4, block: 16 });
      expect(workflowPipeline.plan.sharesSessionsWith(plan)).toBe(false); // a new graph
      expect(workflowPipeline.params).toEqual({ strength: 4, block: 16 });
      // Frames keep flowing while a new plan is built: none fails, none is blank.
      const frames: Promise<Frame>[] = [];
      const swap = p.update({ block: 4 });
      for (let i = 0; i < 5; i++) frames.push(p.process(photo));
      await swap;
      frames.push(p.process(photo));
      for (const frame of await Promise.all(frames)) {
        expect(i420Planes(frame).y.some((value) => value < 200)).toBe(true);
      }
      expect(workflowPipeline.params.block).toBe(4);
      await expect(p.update({ block: 15 })).rejects.toThrow(
        'The sketchy param block must be an integer in 2..64 and a multiple of 2; got 15',
      );
    });
  });
});
