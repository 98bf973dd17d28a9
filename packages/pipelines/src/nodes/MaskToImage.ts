import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskInput } from './nodeInputs.ts';

/**
 * ComfyUI's `MaskToImage`: the mask as a grey image (R = G = B = mask). The mask needs a size
 * known from an image (`ImageToMask`, `SolidMask`, a mask op on those), even in both sides.
 */
export const maskToImageNode: OnnxNodeDefinition = {
  classType: 'MaskToImage',
  kind: 'onnx',
  description: 'The mask as a grey image.',
  inputs: { mask: { type: 'MASK', description: 'The mask, 0..1.' } },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s, scalar } = graphConstants(g);
    const value = context.input('mask');
    const mask = maskInput(context, 'mask') as string;
    const size = value?.type === 'MASK' ? value.size : undefined;
    if (size === undefined) {
      throw new Error(
        `node ${context.nodeId}: MaskToImage needs a mask whose size comes from an image (a model's mask has its own size: resize it with ImageCompositeMasked first)`,
      );
    }
    const lumaShape = g.op('Slice', [g.op('Shape', [mask]), int64s(2), int64s(4)]);
    const grey = g.op('Mul', [g.op('Reshape', [mask, int64s(1, -1)]), scalar(255)]);
    const columns = g.op('Concat', [grey, grey, grey], { axis: attr.int(0) });
    return [{ type: 'IMAGE', image: GraphImage.fromRgbColumns(g, lumaShape, columns, size) }];
  },
};
