import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';

/**
 * One channel of a rank-4 model output as a MASK `[1, 1, h, w]`, clipped to 0..1 (a model's
 * probability map, for instance). `layout` says where the channels are.
 */
export const tensorToMaskNode: OnnxNodeDefinition = {
  classType: 'TensorToMask',
  kind: 'onnx',
  description: 'One channel of a rank-4 tensor as a mask, clipped to 0..1.',
  inputs: {
    tensor: { type: 'TENSOR', description: 'A rank-4 tensor.' },
    channel: { type: 'INT', default: 0, min: 0, max: 4095, description: 'Which channel.' },
    layout: { type: 'STRING', default: 'NCHW', values: ['NCHW', 'NHWC'], description: 'Layout.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const { int64s, scalar } = graphConstants(g);
    const value = context.input('tensor');
    if (value?.type !== 'TENSOR') throw new Error(`node ${context.nodeId}: tensor is not a TENSOR`);
    const nchw =
      context.literal('layout') === 'NHWC'
        ? g.op('Transpose', [value.name], { perm: attr.ints([0, 3, 1, 2]) })
        : value.name;
    const channel = context.literal('channel') as number;
    const plane = g.op('Slice', [nchw, int64s(channel), int64s(channel + 1), int64s(1)]);
    return [{ type: 'MASK', name: g.op('Clip', [plane, scalar(0), scalar(1)]) }];
  },
};
