import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

const side = (description: string) =>
  ({ type: 'INT', default: 0, min: 0, max: 16_384, description }) as const;

/**
 * Weights along one axis of length `length` (int64 scalar): `min((i + 1) / start, 1)` from the
 * start and `min((length − i) / end, 1)` from the end (1 where a side is 0), as `[length]`.
 */
function ramp(g: OnnxGraphBuilder, length: string, start: number, end: number): string {
  const { scalar } = graphConstants(g);
  const n = g.op('Cast', [length], { to: attr.int(1) });
  const i = g.op('Range', [scalar(0), n, scalar(1)]);
  let weight = g.op('Expand', [scalar(1), g.op('Shape', [i])]);
  if (start > 0) {
    const fromStart = g.op('Min', [
      g.op('Div', [g.op('Add', [i, scalar(1)]), scalar(start)]),
      scalar(1),
    ]);
    weight = g.op('Mul', [weight, fromStart]);
  }
  if (end > 0) {
    const fromEnd = g.op('Min', [g.op('Div', [g.op('Sub', [n, i]), scalar(end)]), scalar(1)]);
    weight = g.op('Mul', [weight, fromEnd]);
  }
  return weight;
}

/**
 * ComfyUI's `FeatherMask`: the mask fades out linearly towards each edge over `left`, `top`,
 * `right`, `bottom` px (the outermost px keeps `1/n` of its value). ComfyUI's right and bottom
 * ramps are off by one column (they start at column 0); here all four edges are alike.
 */
export const featherMaskNode: OnnxNodeDefinition = {
  classType: 'FeatherMask',
  kind: 'onnx',
  description: 'Fades the mask out towards its edges.',
  inputs: {
    mask: { type: 'MASK', description: 'The mask.' },
    left: side('Px of fade at the left.'),
    top: side('Px of fade at the top.'),
    right: side('Px of fade at the right.'),
    bottom: side('Px of fade at the bottom.'),
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const mask = maskValue(context, 'mask');
    const [left, top, right, bottom] = ['left', 'top', 'right', 'bottom'].map(
      (name) => context.literal(name) as number,
    ) as [number, number, number, number];
    if (left + top + right + bottom === 0) return [mask];
    const shape = g.op('Shape', [mask.name]);
    const gather = (axis: number) => g.op('Gather', [shape, int64s(axis)]);
    const columns = ramp(g, g.op('Squeeze', [gather(3)]), left, right);
    const rows = ramp(g, g.op('Squeeze', [gather(2)]), top, bottom);
    const weights = g.op('Mul', [
      g.op('Unsqueeze', [rows, int64s(1)]),
      g.op('Unsqueeze', [columns, int64s(0)]),
    ]);
    return [{ ...mask, name: g.op('Mul', [mask.name, weights]) }];
  },
};
