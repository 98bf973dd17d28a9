import { graphConstants } from '../graphs/i420GraphIo.ts';
import { placeAt } from '../graphs/placeAt.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput, maskInput } from './nodeInputs.ts';
import { sameSizes, sizedLike } from './sizedLike.ts';

/** `x` resized bilinearly to the size `[1, C, …]` whose last two dims are `hw` (int64 `[2]`). */
function resizeTo(g: OnnxGraphBuilder, x: string, channels: number, hw: string): string {
  const { int64s } = graphConstants(g);
  const sizes = g.op('Concat', [int64s(1, channels), hw], { axis: attr.int(0) });
  return g.op('Resize', [x, '', '', sizes], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  });
}

/**
 * `destination + mask · (source − destination)`, the source the destination's size, the mask
 * (any resolution) resized bilinearly to it: soft edges from a low-resolution segmentation.
 * Without a mask, the source. In YUV: BT.601 is affine, so this is blending RGB (before clipping).
 * When the destination is a low-resolution image upsampled (a blur) and the source uint8
 * planes, the result says so (`LowResForm` `composite`) and its graph is built only if needed.
 */
export function compositeByMask(
  g: OnnxGraphBuilder,
  destination: GraphImage,
  source: GraphImage,
  mask: string | undefined,
): GraphImage {
  if (mask === undefined)
    return GraphImage.fromYuv(g, destination.lumaShape, source.yuvImages(), destination.size);
  const blended = () => {
    const src = source.yuvImages();
    const dst = destination.yuvImages();
    const blend = (under: string, over: string, weight: string) =>
      g.op('Add', [under, g.op('Mul', [weight, g.op('Sub', [over, under])])]);
    return {
      luma: blend(dst.luma, src.luma, resizeTo(g, mask, 1, destination.lumaShape)),
      chroma: blend(dst.chroma, src.chroma, resizeTo(g, mask, 1, destination.chromaShape)),
    };
  };
  // A low-resolution destination (a blur) under the source's own planes: the plan may composite
  // outside the graph (`UpsampledComposite`, on CPU), from the low-resolution values.
  const over = source.bytePlanes;
  if (destination.lowRes?.kind === 'upsampled' && over !== undefined) {
    const { luma, chroma } = destination.lowRes;
    return GraphImage.fromLazyYuv(g, destination.lumaShape, blended, destination.size, {
      kind: 'composite',
      under: { luma, chroma },
      mask,
      over,
    });
  }
  return GraphImage.fromYuv(g, destination.lumaShape, blended(), destination.size);
}

const offsetPx = (description: string) =>
  ({ type: 'INT', default: 0, min: 0, max: 16_384, description }) as const;

/**
 * ComfyUI's `ImageCompositeMasked`: the source (resized to the destination first with
 * `resize_source`) placed with its top-left corner at (`x`, `y`) and blended in by the mask
 * (resized to the source; none: all of it), clipped to the destination. Offsets are rounded down
 * to even px (I420 chroma is shared by 2×2 px).
 */
export const imageCompositeMaskedNode: OnnxNodeDefinition = {
  classType: 'ImageCompositeMasked',
  kind: 'onnx',
  description: 'Source over destination at (x, y) where the mask is 1 (soft edges between).',
  inputs: {
    destination: { type: 'IMAGE', description: 'The image underneath (where the mask is 0).' },
    source: { type: 'IMAGE', description: 'The image on top (where the mask is 1).' },
    x: offsetPx('Left edge of the source, px (rounded down to even).'),
    y: offsetPx('Top edge of the source, px (rounded down to even).'),
    resize_source: {
      type: 'BOOLEAN',
      default: false,
      description: "Resize the source to the destination's size first.",
    },
    mask: { type: 'MASK', optional: true, description: 'Weight of the source, 0..1.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const destination = imageInput(context, 'destination');
    const resize = context.literal('resize_source') === true;
    const source = resize
      ? sizedLike(g, imageInput(context, 'source'), destination)
      : imageInput(context, 'source');
    const mask = maskInput(context, 'mask');
    const x = (context.literal('x') as number) & ~1;
    const y = (context.literal('y') as number) & ~1;
    if (x === 0 && y === 0 && sameSizes(source.size, destination.size)) {
      return [{ type: 'IMAGE', image: compositeByMask(g, destination, source, mask) }];
    }
    const src = source.yuvImages();
    const dst = destination.yuvImages();
    const lumaHw = g.op('Slice', [g.op('Shape', [src.luma]), int64s(2), int64s(4)]);
    const chromaHw = g.op('Div', [lumaHw, int64s(2)]);
    const weights = (hw: string) =>
      mask === undefined
        ? g.op('Expand', [
            graphConstants(g).scalar(1),
            g.op('Concat', [int64s(1, 1), hw], { axis: attr.int(0) }),
          ])
        : resizeTo(g, mask, 1, hw);
    const blendAt = (
      under: string,
      over: string,
      weight: string,
      canvas: string,
      scale: number,
    ) => {
      const placed = placeAt(g, over, canvas, x / scale, y / scale).placed;
      const placedWeight = placeAt(g, weight, canvas, x / scale, y / scale).placed;
      return g.op('Add', [under, g.op('Mul', [placedWeight, g.op('Sub', [placed, under])])]);
    };
    const yuv = {
      luma: blendAt(dst.luma, src.luma, weights(lumaHw), destination.lumaShape, 1),
      chroma: blendAt(dst.chroma, src.chroma, weights(chromaHw), destination.chromaShape, 2),
    };
    return [
      { type: 'IMAGE', image: GraphImage.fromYuv(g, destination.lumaShape, yuv, destination.size) },
    ];
  },
};
