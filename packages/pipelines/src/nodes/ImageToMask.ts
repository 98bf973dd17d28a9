import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

const channels = ['red', 'green', 'blue', 'alpha'] as const;

/** ComfyUI's `ImageToMask`: one RGB channel, 0..1, as a mask of the image's size (alpha: 1). */
export const imageToMaskNode: OnnxNodeDefinition = {
  classType: 'ImageToMask',
  kind: 'onnx',
  description: 'One channel of the image (0..1) as a mask; frames have no alpha, so alpha is 1.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    channel: { type: 'STRING', default: 'red', values: channels, description: 'Which channel.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const { int64s, scalar } = graphConstants(g);
    const image = imageInput(context, 'image');
    const shape = g.op('Concat', [int64s(1, 1), image.lumaShape], { axis: attr.int(0) });
    const channel = channels.indexOf(context.literal('channel') as (typeof channels)[number]);
    const mask =
      channel === 3
        ? g.op('Expand', [scalar(1), shape])
        : g.op('Reshape', [
            g.op('Mul', [
              g.op('Slice', [image.rgbColumns(), int64s(channel), int64s(channel + 1), int64s(0)]),
              scalar(1 / 255),
            ]),
            shape,
          ]);
    return [{ type: 'MASK', name: mask, size: image.size }];
  },
};
