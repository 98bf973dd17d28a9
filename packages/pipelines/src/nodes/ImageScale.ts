import * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage, type SizePx } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** ONNX Resize modes for ComfyUI's upscale methods (area and lanczos have no exact ONNX twin). */
const resizeModes: Readonly<Record<string, string>> = {
  'nearest-exact': 'nearest',
  bilinear: 'linear',
  area: 'linear',
  bicubic: 'cubic',
  lanczos: 'cubic',
};
export const resizeMethods = Object.keys(resizeModes);

/** ComfyUI's `upscale_method` input. */
export const upscaleMethodInput = {
  type: 'STRING',
  default: 'bilinear',
  values: resizeMethods,
  description: 'Interpolation: area is bilinear here, lanczos is bicubic.',
} as const;

/** `value` rounded to the nearest even number, at least 2 (I420 sides). */
export const evenPx = (value: number): number => Math.max(2, 2 * Math.floor(value / 2 + 0.5));

/**
 * The YUV planes of `image` resized to `lumaHw` (int64 `[2]`: H, W; chroma to half), after a crop
 * to `box` (int64 `[4]`: top, left, bottom, right in luma px, even) when given. Works on the YUV
 * planes, so no RGB round trip.
 */
export function resizeImage(
  g: OnnxGraphBuilder,
  image: GraphImage,
  lumaHw: string,
  method: string,
  box?: string,
): { luma: string; chroma: string } {
  const { int64s } = graphConstants(g);
  const mode = resizeModes[method] ?? 'linear';
  let { luma, chroma } = image.yuvImages();
  if (box !== undefined) {
    const starts = g.op('Slice', [box, int64s(0), int64s(2)]);
    const ends = g.op('Slice', [box, int64s(2), int64s(4)]);
    const half = (x: string) => g.op('Div', [x, int64s(2)]);
    luma = g.op('Slice', [luma, starts, ends, int64s(2, 3)]);
    chroma = g.op('Slice', [chroma, half(starts), half(ends), int64s(2, 3)]);
  }
  const resize = (x: string, channels: number, hw: string) =>
    g.op('Resize', [x, '', '', g.op('Concat', [int64s(1, channels), hw], { axis: attr.int(0) })], {
      mode: attr.string(mode),
      coordinate_transformation_mode: attr.string(mode === 'nearest' ? 'asymmetric' : 'half_pixel'),
      ...(mode === 'nearest' ? { nearest_mode: attr.string('floor') } : {}),
    });
  return {
    luma: resize(luma, 1, lumaHw),
    chroma: resize(chroma, 2, g.op('Div', [lumaHw, int64s(2)])),
  };
}

/**
 * ComfyUI's centre crop before a resize (`common_upscale`): the rows or columns that do not fit
 * the target aspect ratio, cut equally from both sides (rounded down to even px here, for the
 * chroma planes). Returns top, left, bottom, right.
 */
export function centreCropBox(source: SizePx, target: SizePx): [number, number, number, number] {
  const oldAspect = source.widthPx / source.heightPx;
  const newAspect = target.widthPx / target.heightPx;
  let x = 0;
  let y = 0;
  if (oldAspect > newAspect) {
    x = Math.round((source.widthPx - source.widthPx * (newAspect / oldAspect)) / 2);
  } else if (oldAspect < newAspect) {
    y = Math.round((source.heightPx - source.heightPx * (oldAspect / newAspect)) / 2);
  }
  x &= ~1;
  y &= ~1;
  return [y, x, source.heightPx - y, source.widthPx - x];
}

const side = (description: string) =>
  ({ type: 'INT', default: 512, min: 0, max: 16_384, multipleOf: 2, description }) as const;

/**
 * ComfyUI's `ImageScale`: resizes to `width` × `height` (even, so the frame stays I420). A side
 * of 0 keeps the aspect ratio (the other side scaled, rounded to even); both 0 keep the image as
 * it is. `crop: "center"` first cuts what does not fit the new aspect ratio from both sides;
 * `"disabled"` stretches. The sides may be linked to numbers computed per frame (`GetImageSize`).
 */
export const imageScaleNode: OnnxNodeDefinition = {
  classType: 'ImageScale',
  kind: 'onnx',
  description: 'Resizes the image to width × height px (even; 0 keeps the aspect ratio).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to resize.' },
    upscale_method: upscaleMethodInput,
    width: side('Width in px (0: from the height, keeping the aspect ratio).'),
    height: side('Height in px (0: from the width, keeping the aspect ratio).'),
    crop: {
      type: 'STRING',
      default: 'disabled',
      values: ['disabled', 'center'],
      description: 'center: cut to the aspect ratio first; disabled: stretch.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const image = imageInput(context, 'image');
    const width = context.scalar('width');
    const height = context.scalar('height');
    const centre = context.literal('crop') === 'center';
    const size = (input: SizePx): SizePx => {
      const source = image.size(input);
      const [w, h] = [width.valueAt(input), height.valueAt(input)];
      if (w === 0 && h === 0) return source;
      if (w === 0) return { widthPx: evenPx((source.widthPx * h) / source.heightPx), heightPx: h };
      if (h === 0) return { widthPx: w, heightPx: evenPx((source.heightPx * w) / source.widthPx) };
      return { widthPx: w, heightPx: h };
    };
    const int64 = (values: readonly number[]) =>
      new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [values.length]);
    const target = context.frameFeed('size', 'int64', [2], (input) => {
      const { widthPx, heightPx } = size(input);
      return int64([heightPx, widthPx]);
    });
    const box = centre
      ? context.frameFeed('box', 'int64', [4], (input) => {
          return int64(centreCropBox(image.size(input), size(input)));
        })
      : undefined;
    const method = context.literal('upscale_method') as string;
    const yuv = resizeImage(g, image, target, method, box);
    return [{ type: 'IMAGE', image: GraphImage.fromYuv(g, target, yuv, size) }];
  },
};
