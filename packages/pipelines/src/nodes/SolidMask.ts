import * as ort from 'onnxruntime-node';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';

const sidePx = (description: string) =>
  ({ type: 'INT', default: 512, min: 1, max: 16_384, description }) as const;

/**
 * ComfyUI's `SolidMask`: a `width` × `height` mask of one `value` (live). The sides may be linked
 * to numbers computed per frame (`GetImageSize`: a mask the size of the frame).
 */
export const solidMaskNode: OnnxNodeDefinition = {
  classType: 'SolidMask',
  kind: 'onnx',
  description: 'A mask of one value, width × height px.',
  inputs: {
    value: { type: 'FLOAT', default: 1, min: 0, max: 1, description: 'Its value.' },
    width: sidePx('Width in px.'),
    height: sidePx('Height in px.'),
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const width = context.scalar('width');
    const height = context.scalar('height');
    const size = (input: { widthPx: number; heightPx: number }) => ({
      widthPx: width.valueAt(input),
      heightPx: height.valueAt(input),
    });
    const value = context.feed('value', 'float32', [], (literals) => {
      return new ort.Tensor('float32', Float32Array.of(literals.value as number), []);
    });
    const shape = context.frameFeed('shape', 'int64', [4], (input) => {
      const { widthPx, heightPx } = size(input);
      return new ort.Tensor(
        'int64',
        BigInt64Array.of(1n, 1n, BigInt(heightPx), BigInt(widthPx)),
        [4],
      );
    });
    return [{ type: 'MASK', name: g.op('Expand', [value, shape]), size }];
  },
};
