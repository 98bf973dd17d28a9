import * as ort from 'onnxruntime-node';
import { applyAffine3, rgbToYuv } from '../graphs/bt601.ts';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** `#rrggbb` → BT.601 limited-range Y, U, V. */
export function hexColorToYuv(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return applyAffine3(rgbToYuv, (value >> 16) & 255, (value >> 8) & 255, value & 255);
}

/**
 * An image of one colour the size of `like`: `yuv` (float `[3, 1, 1]`: Y, U, V) expanded to its
 * planes when a consumer needs them. It is also a 1×1 image upsampled (`GraphImage.lowRes`), so a
 * composite over it on CPU never makes the full-size planes (`UpsampledComposite`).
 */
export function solidImageLike(g: OnnxGraphBuilder, like: GraphImage, yuv: string): GraphImage {
  const { int64s } = graphConstants(g);
  const [y, uv] = [g.fresh('solid_y'), g.fresh('solid_uv')];
  g.addNode('Split', [yuv, int64s(1, 2)], [y, uv], { axis: attr.int(0) });
  const expanded = () => ({
    luma: g.op('Expand', [y, g.op('Concat', [int64s(1), like.lumaShape], { axis: attr.int(0) })]),
    chroma: g.op('Expand', [
      uv,
      g.op('Concat', [int64s(2), like.chromaShape], { axis: attr.int(0) }),
    ]),
  });
  return GraphImage.fromLazyYuv(g, like.lumaShape, expanded, like.size, {
    kind: 'upsampled',
    luma: g.op('Unsqueeze', [y, int64s(0)]),
    chroma: g.op('Unsqueeze', [uv, int64s(0)]),
  });
}

/** A `[3, 1, 1]` float tensor of the Y, U and V of a colour. */
export const yuvTensor = (yuv: readonly [number, number, number]): ort.Tensor =>
  new ort.Tensor('float32', Float32Array.from(yuv), [3, 1, 1]);

/**
 * An image of one colour the size of `image` (e.g. a background to composite onto). The colour
 * is fed per frame, so it changes live.
 */
export const solidColorImageNode: OnnxNodeDefinition = {
  classType: 'SolidColorImage',
  kind: 'onnx',
  description: 'An image of one colour (#rrggbb), the size of the input image.',
  inputs: {
    image: { type: 'IMAGE', description: 'Gives the size.' },
    color: {
      type: 'STRING',
      default: '#00b140',
      pattern: /^#[0-9a-fA-F]{6}$/,
      description: 'The colour as #rrggbb.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'image');
    const yuv = context.feed('yuv', 'float32', [3, 1, 1], (l) =>
      yuvTensor(hexColorToYuv(l.color as string)),
    );
    return [{ type: 'IMAGE', image: solidImageLike(context.g, image, yuv) }];
  },
};
