import * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

const scalar = (value: number) => new ort.Tensor('float32', Float32Array.of(value), []);

/**
 * A soft threshold: `clip((mask − threshold) / softness + 0.5, 0, 1)`, so a probability at the
 * threshold is half in, and the ramp is `softness` wide. Both are fed per frame (live).
 */
export const maskRampNode: OnnxNodeDefinition = {
  classType: 'MaskRamp',
  kind: 'onnx',
  description: 'Soft threshold of a mask: a ramp of width softness centred on threshold.',
  inputs: {
    mask: { type: 'MASK', description: 'Probabilities 0..1.' },
    threshold: { type: 'FLOAT', default: 0.5, min: 0, max: 1, description: 'Half-in point.' },
    softness: { type: 'FLOAT', default: 0.5, min: 0.01, max: 1, description: 'Ramp width.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const { scalar: constant } = graphConstants(g);
    const mask = maskValue(context, 'mask');
    const scale = context.feed('scale', 'float32', [], (l) => scalar(1 / (l.softness as number)));
    const bias = context.feed('bias', 'float32', [], (l) =>
      scalar(0.5 - (l.threshold as number) / (l.softness as number)),
    );
    const ramp = g.op('Clip', [
      g.op('Add', [g.op('Mul', [mask.name, scale]), bias]),
      constant(0),
      constant(1),
    ]);
    return [{ ...mask, name: ramp }];
  },
};
