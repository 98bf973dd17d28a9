/**
 * The ComfyStream-convention corpus (`fixtures/comfystream/`, written for PeerFrame, each file one
 * convention or more): every file runs and its frames are checked, or it fails with the summary
 * PeerFrame gives. A file without an entry here fails the test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceInvert } from '../../fixtures/referenceInvert.ts';
import { lumaAt, maxDifference, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { cropI420FromEven, padI420ToEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420Planes } from '../frames/Frame.ts';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { InvalidWorkflowError, type WorkflowIssueCode } from './errors.ts';
import { WorkflowPlan } from './WorkflowPlan.ts';

const corpus = new URL('../../fixtures/comfystream/', import.meta.url);
const load = (file: string): unknown => JSON.parse(readFileSync(new URL(file, corpus), 'utf8'));

/** 64×48: a dark left half with a fine checker, a bright right half, a white 8×8 block. */
const frame = rgbFrame(64, 48, (x, y) => {
  if (x >= 40 && x < 48 && y >= 16 && y < 24) return [255, 255, 255];
  if (x < 32) return (x + y) % 2 === 0 ? [40, 20, 30] : [90, 60, 70];
  return [220, 200, 180];
});

type Runs = { runs: (out: Frame, input: Frame) => void; odd?: boolean };
type Fails = { fails: readonly WorkflowIssueCode[]; summary?: string; message?: RegExp };

const near = (a: number, b: number, tolerance = 2) => Math.abs(a - b) <= tolerance;

const cases: Record<string, Runs | Fails> = {
  'load-image-invert-preview-api.json': {
    // LoadImage is the frame, PreviewImage the output: the invert, as ComfyStream runs it.
    runs: (out, input) => {
      const padded = padI420ToEven(input);
      const expected = cropI420FromEven(referenceInvert(padded), input.widthPx, input.heightPx);
      expect(maxDifference(out.data, expected.data)).toBeLessThanOrEqual(1);
    },
    odd: true,
  },
  'primary-input-flip-save-api.json': {
    // PrimaryInputLoadImage is the frame; the LoadImage that fed it in the editor is unused.
    runs: (out, input) => {
      for (const [x, y] of [
        [0, 0],
        [45, 20],
        [63, 47],
      ] as const) {
        expect(lumaAt(out, x, y)).toBe(lumaAt(input, x, input.heightPx - 1 - y));
      }
    },
  },
  'load-tensor-timeout-scale-by-api.json': {
    runs: (out) => expect([out.widthPx, out.heightPx]).toEqual([32, 24]),
  },
  'three-outputs-api.json': {
    // Output "10" (the lowest id) is the stream; "11" and "12" are not run.
    runs: (out, input) => {
      expect(maxDifference(out.data, referenceInvert(input).data)).toBeLessThanOrEqual(1);
    },
  },
  'four-outputs-api.json': {
    fails: ['output_node_count'],
    message: /needs 1 to 3 output nodes .*; found 4 \(2, 3, 4, 5\)/,
  },
  'ui-format-invert.json': { fails: ['ui_format'], message: /Save \(API Format\)/ },
  'depth-controlnet-sd-tensorrt-api.json': {
    fails: ['unknown_class_type'],
    summary:
      'Unsupported node types: needs a model/GPU node (10): DepthAnythingTensorrt, TensorRTLoader, CLIPLoader, CLIPTextEncode ×2, ControlNetLoader, ControlNetApplyAdvanced, EmptyLatentImage, KSampler, VAELoader, VAEDecode; missing image op (1): ImageRotate',
  },
  'depth-background-blur-api.json': {
    // Background-Edit's nodes are there; the depth network is not.
    fails: ['unknown_class_type'],
    summary: 'Unsupported node types: needs a model/GPU node (1): DepthAnythingTensorrt',
  },
  'brightness-background-blur-api.json': {
    // Bright (red > 0.5) stays sharp, the rest is blurred: the checker averages out.
    runs: (out, input) => {
      expect(lumaAt(out, 50, 40)).toBe(lumaAt(input, 50, 40));
      const [a, b] = [lumaAt(out, 10, 10), lumaAt(out, 11, 10)];
      expect(Math.abs(a - b)).toBeLessThan(
        Math.abs(lumaAt(input, 10, 10) - lumaAt(input, 11, 10)) / 3,
      );
    },
    odd: true,
  },
  'brightness-background-color-api.json': {
    // Where green < 0.5, BackgroundColor's blue.
    runs: (out, input) => {
      const { u, v } = i420Planes(out);
      expect([u[5 * 32 + 4], v[5 * 32 + 4]]).toEqual([240, 110]);
      expect(lumaAt(out, 50, 40)).toBe(lumaAt(input, 50, 40));
    },
  },
  'mask-ops-api.json': {
    // Bright areas grown by 2 px, feathered at the bottom, the top-left 8×8 cut out, inverted.
    runs: (out) => {
      expect(near(lumaAt(out, 50, 10), 16)).toBe(true); // bright: mask 1, inverted 0
      expect(near(lumaAt(out, 30, 10), 16)).toBe(true); // grown into the dark side by 2 px
      expect(near(lumaAt(out, 20, 10), 235)).toBe(true); // dark: mask 0, inverted 1
      expect(near(lumaAt(out, 50, 47), 16 + 219 * 0.75)).toBe(true); // feathered: last row 1/4
    },
  },
  'blend-sharpen-api.json': {
    // Screen with black is the image; a sharpen of alpha 0 leaves it.
    runs: (out, input) => {
      for (const [x, y] of [
        [10, 10],
        [50, 40],
        [44, 20],
      ] as const) {
        expect(near(lumaAt(out, x, y), lumaAt(input, x, y))).toBe(true);
      }
    },
  },
  'scale-keep-aspect-center-crop-api.json': {
    // 64×48 → 32×24 (height 24, width from the aspect) → 32×32 from its centre 24×24.
    runs: (out) => expect([out.widthPx, out.heightPx]).toEqual([32, 32]),
  },
  'composite-offset-primitive-api.json': {
    // An 8×8 white square at x from PrimitiveInt (16), y 8.
    runs: (out, input) => {
      expect([lumaAt(out, 16, 8), lumaAt(out, 23, 15)]).toEqual([235, 235]);
      expect(lumaAt(out, 24, 8)).toBe(lumaAt(input, 24, 8));
    },
  },
  'size-linked-solid-mask-api.json': {
    // A mask the size of the frame (GetImageSize), its value and threshold from PrimitiveFloat.
    runs: (out, input) => {
      expect([out.widthPx, out.heightPx]).toEqual([input.widthPx, input.heightPx]);
      expect(i420Planes(out).y.every((y) => y === 235)).toBe(true);
    },
  },
  'per-frame-number-into-js-node-api.json': {
    fails: ['literal_expected'],
    message:
      /input "max_faces" needs a value before the first frame; node "2" \(GetImageSize\) gives one per frame/,
  },
};

describe('ComfyStream-convention corpus', () => {
  it('has an entry for every file', () => {
    const files = readdirSync(corpus).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(cases).sort());
  });

  for (const [file, expectation] of Object.entries(cases)) {
    if ('runs' in expectation) {
      it(`${file} runs`, async () => {
        const plan = await WorkflowPlan.compile(load(file), {
          registry: defaultNodeRegistry(),
          sessionOptions: { intraOpNumThreads: 1 },
        });
        try {
          expectation.runs(await plan.run(frame), frame);
          if (expectation.odd === true) {
            const odd = cropI420FromEven(frame, 63, 47);
            const out = await plan.run(odd);
            expect([out.widthPx, out.heightPx]).toEqual([63, 47]);
            expectation.runs(out, odd);
          }
        } finally {
          await plan.close();
        }
      });
    } else {
      it(`${file} fails with ${expectation.fails.join(', ')}`, async () => {
        const compiling = WorkflowPlan.compile(load(file), { registry: defaultNodeRegistry() });
        const error = (await compiling.catch((e: unknown) => e)) as InvalidWorkflowError;
        expect(error).toBeInstanceOf(InvalidWorkflowError);
        expect([...new Set(error.issues.map((issue) => issue.code))]).toEqual(expectation.fails);
        if (expectation.summary !== undefined) expect(error.summary).toBe(expectation.summary);
        if (expectation.message !== undefined) expect(error.details).toMatch(expectation.message);
      });
    }
  }
});
