import * as ort from 'onnxruntime-node';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

/** ComfyUI's `ThresholdMask`: 1 where the mask is above `value`, else 0 (`value` live). */
export const thresholdMaskNode: OnnxNodeDefinition = {
  classType: 'ThresholdMask',
  kind: 'onnx',
  description: '1 where the mask is above value, 0 elsewhere.',
  inputs: {
    mask: { type: 'MASK', description: 'The mask.' },
    value: { type: 'FLOAT', default: 0.5, min: 0, max: 1, description: 'The threshold.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const mask = maskValue(context, 'mask');
    const value = context.feed('value', 'float32', [], (literals) => {
      return new ort.Tensor('float32', Float32Array.of(literals.value as number), []);
    });
    const above = g.op('Cast', [g.op('Greater', [mask.name, value])], { to: attr.int(1) });
    return [{ ...mask, name: above }];
  },
};
