import * as ort from 'onnxruntime-node';
import { applyAffine3, rgbToYuv } from '../graphs/bt601.ts';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { yuvTensor } from './SolidColorImage.ts';

const evenSide = (description: string) =>
  ({ type: 'INT', default: 512, min: 2, max: 16_384, multipleOf: 2, description }) as const;

/**
 * ComfyUI's `EmptyImage`: `width` × `height` of one `color` (`0xRRGGBB` as a number; live). The
 * sides may be linked to numbers computed per frame (`GetImageSize`); they must be even (I420).
 * `batch_size` is 1.
 */
export const emptyImageNode: OnnxNodeDefinition = {
  classType: 'EmptyImage',
  kind: 'onnx',
  description: 'An image of one colour, width × height px.',
  inputs: {
    width: evenSide('Width in px (even).'),
    height: evenSide('Height in px (even).'),
    batch_size: { type: 'INT', default: 1, min: 1, max: 1, description: 'Only 1.' },
    color: { type: 'INT', default: 0, min: 0, max: 0xffffff, description: 'Colour, 0xRRGGBB.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const width = context.scalar('width');
    const height = context.scalar('height');
    const size = (input: { widthPx: number; heightPx: number }) => ({
      widthPx: width.valueAt(input),
      heightPx: height.valueAt(input),
    });
    const yuv = context.feed('yuv', 'float32', [3, 1, 1], (literals) => {
      const color = literals.color as number;
      return yuvTensor(
        applyAffine3(rgbToYuv, (color >> 16) & 255, (color >> 8) & 255, color & 255),
      );
    });
    const lumaShape = context.frameFeed('shape', 'int64', [2], (input) => {
      const { widthPx, heightPx } = size(input);
      if (widthPx % 2 !== 0 || heightPx % 2 !== 0) {
        throw new Error(`EmptyImage ${widthPx}×${heightPx}: I420 images need even sides`);
      }
      return new ort.Tensor('int64', BigInt64Array.of(BigInt(heightPx), BigInt(widthPx)), [2]);
    });
    const [y, uv] = [g.fresh('empty_y'), g.fresh('empty_uv')];
    g.addNode('Split', [yuv, int64s(1, 2)], [y, uv], { axis: attr.int(0) });
    const chromaShape = g.op('Div', [lumaShape, int64s(2)]);
    const shape = (channels: number, planeShape: string) =>
      g.op('Concat', [int64s(1, channels), planeShape], { axis: attr.int(0) });
    const luma = g.op('Expand', [y, shape(1, lumaShape)]);
    const chroma = g.op('Expand', [uv, shape(2, chromaShape)]);
    return [{ type: 'IMAGE', image: GraphImage.fromYuv(g, lumaShape, { luma, chroma }, size) }];
  },
};
