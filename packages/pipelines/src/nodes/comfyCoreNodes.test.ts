import { describe, expect, it } from 'vitest';
import { frameToRgb } from '../../fixtures/images.ts';
import { runWorkflowOnce } from '../../fixtures/runWorkflowOnce.ts';
import { lumaAt, rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { type Frame, i420Planes } from '../frames/Frame.ts';
import { applyAffine3, rgbToYuv } from '../graphs/bt601.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import type { Workflow } from '../workflow/WorkflowTypes.ts';
import { openCvSigma } from './backgroundEditNodes.ts';
import { sharpenKernel } from './ImageSharpen.ts';

const _registry = defaultNodeRegistry();
const _sessionOptions = { intraOpNumThreads: 1 };

const runOnce = runWorkflowOnce;

/** LoadTensor as "in", the nodes given, SaveTensor of `output`. */
const workflow = (output: string, nodes: Workflow): Workflow => ({
  in: { class_type: 'LoadTensor', inputs: {} },
  ...nodes,
  out: { class_type: 'SaveTensor', inputs: { images: [output, 0] } },
});

/** A mask back as a grey image: its luma is 16 + 219 · mask. */
const maskToLuma = (mask: number) => 16 + 219 * mask;
const rgb = (frame: Frame, x: number, y: number) => {
  const image = frameToRgb(frame);
  return Array.from(
    image.rgb.subarray((y * frame.widthPx + x) * 3, (y * frame.widthPx + x) * 3 + 3),
  );
};
const near = (actual: readonly number[], expected: readonly number[], tolerance = 2) =>
  actual.every((value, i) => Math.abs(value - (expected[i] as number)) <= tolerance);

describe("ComfyUI's core mask nodes", () => {
  it('ImageToMask → ThresholdMask → MaskToImage: the red channel, then 0 or 1 about the threshold', async () => {
    const frame = rgbFrame(32, 16, (x) => (x < 16 ? [64, 200, 10] : [192, 10, 200]));
    const mask = await runOnce(
      workflow('i', {
        m: { class_type: 'ImageToMask', inputs: { image: ['in', 0], channel: 'red' } },
        i: { class_type: 'MaskToImage', inputs: { mask: ['m', 0] } },
      }),
      frame,
    );
    expect(lumaAt(mask, 4, 4)).toBeCloseTo(maskToLuma(64 / 255), -0.5);
    expect(lumaAt(mask, 28, 4)).toBeCloseTo(maskToLuma(192 / 255), -0.5);
    expect(i420Planes(mask).u.every((u) => Math.abs(u - 128) <= 1)).toBe(true);
    const thresholded = await runOnce(
      workflow('i', {
        m: { class_type: 'ImageToMask', inputs: { image: ['in', 0], channel: 'red' } },
        t: { class_type: 'ThresholdMask', inputs: { mask: ['m', 0], value: 0.5 } },
        i: { class_type: 'MaskToImage', inputs: { mask: ['t', 0] } },
      }),
      frame,
    );
    expect([lumaAt(thresholded, 4, 4), lumaAt(thresholded, 28, 4)]).toEqual([16, 235]);
  });

  it('GrowMask grows a square (square or tapered corners) and shrinks it', async () => {
    // A white 8×8 square at (12, 12) on black.
    const frame = rgbFrame(32, 32, (x, y) =>
      x >= 12 && x < 20 && y >= 12 && y < 20 ? [255, 255, 255] : [0, 0, 0],
    );
    const grow = (expand: number, tapered: boolean) =>
      runOnce(
        workflow('i', {
          m: { class_type: 'ImageToMask', inputs: { image: ['in', 0], channel: 'red' } },
          g: {
            class_type: 'GrowMask',
            inputs: { mask: ['m', 0], expand, tapered_corners: tapered },
          },
          i: { class_type: 'MaskToImage', inputs: { mask: ['g', 0] } },
        }),
        frame,
      );
    const on = (f: Frame, x: number, y: number) => lumaAt(f, x, y) > 125;
    const square = await grow(2, false);
    expect([on(square, 10, 10), on(square, 9, 12), on(square, 21, 21), on(square, 22, 22)]).toEqual(
      [true, false, true, false],
    );
    const tapered = await grow(2, true);
    // Two steps of a cross: (10, 12) is in, the corner (10, 10) is not, (11, 11) is.
    expect([on(tapered, 10, 12), on(tapered, 10, 10), on(tapered, 11, 11)]).toEqual([
      true,
      false,
      true,
    ]);
    const shrunk = await grow(-2, false);
    expect([
      on(shrunk, 13, 13),
      on(shrunk, 14, 14),
      on(shrunk, 17, 17),
      on(shrunk, 18, 18),
    ]).toEqual([false, true, true, false]);
  });

  it('FeatherMask fades linearly to each edge', async () => {
    const frame = rgbFrame(32, 16, () => [255, 255, 255]);
    const out = await runOnce(
      workflow('i', {
        m: { class_type: 'ImageToMask', inputs: { image: ['in', 0], channel: 'green' } },
        f: {
          class_type: 'FeatherMask',
          inputs: { mask: ['m', 0], left: 4, top: 0, right: 8, bottom: 0 },
        },
        i: { class_type: 'MaskToImage', inputs: { mask: ['f', 0] } },
      }),
      frame,
    );
    const row = [0, 1, 3, 10, 31, 28].map((x) => lumaAt(out, x, 8));
    const expected = [1 / 4, 2 / 4, 1, 1, 1 / 8, 4 / 8].map(maskToLuma);
    expect(near(row, expected, 3)).toBe(true);
  });

  it('SolidMask the size of the frame (linked to GetImageSize) and MaskComposite at an offset', async () => {
    const frame = rgbFrame(40, 24, () => [90, 90, 90]);
    const out = await runOnce(
      workflow('i', {
        s: { class_type: 'GetImageSize', inputs: { image: ['in', 0] } },
        d: {
          class_type: 'SolidMask',
          inputs: { value: 0.25, width: ['s', 0], height: ['s', 1] },
        },
        src: { class_type: 'SolidMask', inputs: { value: 0.5, width: 8, height: 6 } },
        c: {
          class_type: 'MaskComposite',
          inputs: { destination: ['d', 0], source: ['src', 0], x: 36, y: 4, operation: 'add' },
        },
        i: { class_type: 'MaskToImage', inputs: { mask: ['c', 0] } },
      }),
      frame,
    );
    expect([out.widthPx, out.heightPx]).toEqual([40, 24]);
    // The source overlaps x 36..39, y 4..9 (cut at the right edge).
    expect(lumaAt(out, 0, 0)).toBeCloseTo(maskToLuma(0.25), -0.5);
    expect(lumaAt(out, 37, 5)).toBeCloseTo(maskToLuma(0.75), -0.5);
    expect(lumaAt(out, 37, 10)).toBeCloseTo(maskToLuma(0.25), -0.5);
    expect(lumaAt(out, 35, 5)).toBeCloseTo(maskToLuma(0.25), -0.5);
  });
});

describe("ComfyUI's core image nodes", () => {
  it('EmptyImage (sides from GetImageSize, a colour) and ImageBlend modes on flat colours', async () => {
    const base = [200, 100, 40] as const;
    const top = [60, 160, 220] as const;
    const frame = rgbFrame(32, 32, () => [...base]);
    const color = (top[0] << 16) | (top[1] << 8) | top[2];
    const blend = (mode: string, factor: number) =>
      runOnce(
        workflow('b', {
          s: { class_type: 'GetImageSize', inputs: { image: ['in', 0] } },
          e: {
            class_type: 'EmptyImage',
            inputs: { width: ['s', 0], height: ['s', 1], batch_size: 1, color },
          },
          b: {
            class_type: 'ImageBlend',
            inputs: { image1: ['in', 0], image2: ['e', 0], blend_factor: factor, blend_mode: mode },
          },
        }),
        frame,
      );
    const a = base.map((v) => v / 255);
    const b = top.map((v) => v / 255);
    const expected: Record<string, number[]> = {
      normal: b,
      multiply: a.map((x, i) => x * (b[i] as number)),
      screen: a.map((x, i) => 1 - (1 - x) * (1 - (b[i] as number))),
      difference: a.map((x, i) => x - (b[i] as number)),
    };
    for (const [mode, result] of Object.entries(expected)) {
      const out = await blend(mode, 0.75);
      const mixed = (x: number, i: number) => x * 0.25 + (result[i] as number) * 0.75;
      const want = a.map((x, i) => 255 * Math.min(1, Math.max(0, mixed(x, i))));
      // Through YUV 4:2:0 and back: a few levels either way.
      expect(near(rgb(out, 10, 10), want, 4), `${mode}: ${rgb(out, 10, 10)} vs ${want}`).toBe(true);
    }
  });

  it('ImageScaleBy rounds each side to even; ImageScale keeps the aspect ratio and crops the centre', async () => {
    const frame = rgbFrame(64, 48, (x) =>
      x < 8 ? [255, 0, 0] : x < 56 ? [0, 255, 0] : [0, 0, 255],
    );
    const by = async (scale: number) =>
      runOnce(
        workflow('n', {
          n: {
            class_type: 'ImageScaleBy',
            inputs: { image: ['in', 0], upscale_method: 'bilinear', scale_by: scale },
          },
        }),
        frame,
      );
    expect([(await by(0.5)).widthPx, (await by(0.5)).heightPx]).toEqual([32, 24]);
    const odd = await by(0.3);
    expect([odd.widthPx, odd.heightPx]).toEqual([20, 14]);
    const scale = (width: number, height: number, crop: string) =>
      runOnce(
        workflow('n', {
          n: {
            class_type: 'ImageScale',
            inputs: { image: ['in', 0], upscale_method: 'nearest-exact', width, height, crop },
          },
        }),
        frame,
      );
    const keep = await scale(0, 24, 'disabled');
    expect([keep.widthPx, keep.heightPx]).toEqual([32, 24]);
    expect(near(rgb(keep, 0, 10), [255, 0, 0], 40)).toBe(true);
    // A 48×48 square cut from the middle of 64×48 (8 px off each side): red and blue are gone.
    const centre = await scale(48, 48, 'center');
    expect([centre.widthPx, centre.heightPx]).toEqual([48, 48]);
    expect(near(rgb(centre, 0, 20), [0, 255, 0], 40)).toBe(true);
    expect(near(rgb(centre, 47, 20), [0, 255, 0], 40)).toBe(true);
    const stretched = await scale(48, 48, 'disabled');
    expect(near(rgb(stretched, 0, 20), [255, 0, 0], 40)).toBe(true);
  });

  it('ImageFlip reverses the planes, losslessly', async () => {
    const frame = rgbFrame(32, 16, (x, y) => [x * 8, y * 16, 100]);
    const flip = (flip_method: string) =>
      runOnce(
        workflow('n', {
          n: { class_type: 'ImageFlip', inputs: { image: ['in', 0], flip_method } },
        }),
        frame,
      );
    const vertical = await flip('x-axis: vertically');
    const horizontal = await flip('y-axis: horizontally');
    for (let x = 0; x < 32; x += 5) {
      for (let y = 0; y < 16; y += 3) {
        expect(lumaAt(vertical, x, y)).toBe(lumaAt(frame, x, 15 - y));
        expect(lumaAt(horizontal, x, y)).toBe(lumaAt(frame, 31 - x, y));
      }
    }
  });

  it('ImageSharpen keeps flat areas and overshoots at a step; its kernel sums to 1', async () => {
    expect(sharpenKernel(2, 1, 1).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const frame = rgbFrame(32, 16, (x) => (x < 16 ? [80, 80, 80] : [160, 160, 160]));
    const out = await runOnce(
      workflow('n', {
        n: {
          class_type: 'ImageSharpen',
          inputs: { image: ['in', 0], sharpen_radius: 1, sigma: 1, alpha: 0.5 },
        },
      }),
      frame,
    );
    expect(lumaAt(out, 4, 8)).toBe(lumaAt(frame, 4, 8));
    expect(lumaAt(out, 15, 8)).toBeLessThan(lumaAt(frame, 15, 8) - 5);
    expect(lumaAt(out, 16, 8)).toBeGreaterThan(lumaAt(frame, 16, 8) + 5);
  });

  it('ImageCompositeMasked places the source at (x, y), with and without a mask', async () => {
    const frame = rgbFrame(32, 32, () => [0, 0, 0]);
    const out = await runOnce(
      workflow('c', {
        e: {
          class_type: 'EmptyImage',
          inputs: { width: 8, height: 8, batch_size: 1, color: 0xffffff },
        },
        c: {
          class_type: 'ImageCompositeMasked',
          inputs: { destination: ['in', 0], source: ['e', 0], x: 20, y: 6, resize_source: false },
        },
      }),
      frame,
    );
    expect([
      lumaAt(out, 19, 8),
      lumaAt(out, 20, 8),
      lumaAt(out, 27, 13),
      lumaAt(out, 28, 13),
    ]).toEqual([16, 235, 235, 16]);
    const masked = await runOnce(
      workflow('c', {
        e: {
          class_type: 'EmptyImage',
          inputs: { width: 8, height: 8, batch_size: 1, color: 0xffffff },
        },
        m: { class_type: 'SolidMask', inputs: { value: 0.5, width: 8, height: 8 } },
        c: {
          class_type: 'ImageCompositeMasked',
          inputs: {
            destination: ['in', 0],
            source: ['e', 0],
            x: 20,
            y: 6,
            resize_source: false,
            mask: ['m', 0],
          },
        },
      }),
      frame,
    );
    expect(lumaAt(masked, 22, 8)).toBeCloseTo((16 + 235) / 2, -0.5);
    expect(lumaAt(masked, 10, 8)).toBe(16);
  });

  it('folds PrimitiveInt into the inputs it feeds', async () => {
    const frame = rgbFrame(64, 48, () => [10, 20, 30]);
    const out = await runOnce(
      workflow('n', {
        w: { class_type: 'PrimitiveInt', inputs: { value: 40 } },
        n: {
          class_type: 'ImageScale',
          inputs: {
            image: ['in', 0],
            upscale_method: 'bilinear',
            width: ['w', 0],
            height: 0,
            crop: 'disabled',
          },
        },
      }),
      frame,
    );
    expect([out.widthPx, out.heightPx]).toEqual([40, 30]);
  });
});

describe('ComfyUI-Background-Edit nodes', () => {
  it('BackgroundColor, GaussianBlur and Composite', async () => {
    const frame = rgbFrame(32, 32, (x) => (x < 16 ? [30, 30, 30] : [220, 220, 220]));
    const red = await runOnce(
      workflow('n', {
        n: { class_type: 'BackgroundColor', inputs: { images: ['in', 0], color: 'red' } },
      }),
      frame,
    );
    const [y, u, v] = applyAffine3(rgbToYuv, 255, 0, 0).map(Math.round);
    expect([lumaAt(red, 3, 3), i420Planes(red).u[0], i420Planes(red).v[0]]).toEqual([y, u, v]);
    const blurred = await runOnce(
      workflow('n', {
        n: {
          class_type: 'GaussianBlur',
          inputs: { images: ['in', 0], kernel_size: 9, sigma: 0, mode: 'cuda' },
        },
      }),
      frame,
    );
    expect(openCvSigma(9)).toBeCloseTo(1.7, 5);
    expect(lumaAt(blurred, 15, 16)).toBeGreaterThan(lumaAt(frame, 15, 16) + 10);
    expect(lumaAt(blurred, 2, 16)).toBe(lumaAt(frame, 2, 16));
    // Black background, the frame where its red is above 0.5.
    const composite = await runOnce(
      workflow('c', {
        bg: { class_type: 'BackgroundColor', inputs: { images: ['in', 0], color: 'black' } },
        m: { class_type: 'ImageToMask', inputs: { image: ['in', 0], channel: 'red' } },
        t: { class_type: 'ThresholdMask', inputs: { mask: ['m', 0], value: 0.5 } },
        c: {
          class_type: 'Composite',
          inputs: {
            foregrounds: ['in', 0],
            backgrounds: ['bg', 0],
            foreground_masks: ['t', 0],
            mode: 'cpu',
          },
        },
      }),
      frame,
    );
    expect([lumaAt(composite, 4, 4), lumaAt(composite, 28, 4)]).toEqual([16, lumaAt(frame, 28, 4)]);
  });
});
