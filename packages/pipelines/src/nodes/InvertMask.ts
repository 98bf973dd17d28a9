import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

/** ComfyUI's `InvertMask`: `1 − mask`. */
export const invertMaskNode: OnnxNodeDefinition = {
  classType: 'InvertMask',
  kind: 'onnx',
  description: 'Inverts a mask: 1 − mask.',
  inputs: { mask: { type: 'MASK', description: 'The mask to invert.' } },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { scalar } = graphConstants(context.g);
    const mask = maskValue(context, 'mask');
    return [{ ...mask, name: context.g.op('Sub', [scalar(1), mask.name]) }];
  },
};
