import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput, maskInput } from './nodeInputs.ts';

/**
 * ComfyUI's `ImageCompositeMasked`: `destination + mask · (source − destination)`. The mask (any
 * resolution) is resized bilinearly to the image, which gives soft edges from a low-resolution
 * segmentation. Blends in YUV: BT.601 is affine, so this equals blending RGB (before clipping).
 * Only `x = y = 0` (the source over the whole destination); `resize_source` resizes the source
 * to the destination's size first. Without a mask the source replaces the destination.
 */
export const imageCompositeMaskedNode: OnnxNodeDefinition = {
  classType: 'ImageCompositeMasked',
  kind: 'onnx',
  description: 'Source over destination where the mask is 1 (soft edges between).',
  inputs: {
    destination: { type: 'IMAGE', description: 'The image underneath (where the mask is 0).' },
    source: { type: 'IMAGE', description: 'The image on top (where the mask is 1).' },
    x: { type: 'INT', default: 0, min: 0, max: 0, description: 'Offset: only 0 is supported.' },
    y: { type: 'INT', default: 0, min: 0, max: 0, description: 'Offset: only 0 is supported.' },
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
    const source = imageInput(context, 'source');
    const mask = maskInput(context, 'mask');
    const dst = destination.yuvImages();
    const lumaSize = g.op('Concat', [int64s(1, 1), destination.lumaShape], { axis: attr.int(0) });
    const chromaSize = g.op('Concat', [int64s(1, 1), destination.chromaShape], {
      axis: attr.int(0),
    });
    const resizeTo = (x: string, size: string) =>
      g.op('Resize', [x, '', '', size], {
        mode: attr.string('linear'),
        coordinate_transformation_mode: attr.string('half_pixel'),
      });
    let src = source.yuvImages();
    if (context.literal('resize_source') === true) {
      const chromaSize2 = g.op('Concat', [int64s(1, 2), destination.chromaShape], {
        axis: attr.int(0),
      });
      src = { luma: resizeTo(src.luma, lumaSize), chroma: resizeTo(src.chroma, chromaSize2) };
    }
    if (mask === undefined) {
      return [
        {
          type: 'IMAGE',
          image: GraphImage.fromYuv(g, destination.lumaShape, src, destination.size),
        },
      ];
    }
    const blend = (under: string, over: string, weight: string) =>
      g.op('Add', [under, g.op('Mul', [weight, g.op('Sub', [over, under])])]);
    const yuv = {
      luma: blend(dst.luma, src.luma, resizeTo(mask, lumaSize)),
      chroma: blend(dst.chroma, src.chroma, resizeTo(mask, chromaSize)),
    };
    return [
      { type: 'IMAGE', image: GraphImage.fromYuv(g, destination.lumaShape, yuv, destination.size) },
    ];
  },
};
