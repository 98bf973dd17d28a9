import { graphConstants } from '../graphs/i420GraphIo.ts';
import { placeAt } from '../graphs/placeAt.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

const operations = ['multiply', 'add', 'subtract', 'and', 'or', 'xor'] as const;
type Operation = (typeof operations)[number];
const offsetPx = (description: string) =>
  ({ type: 'INT', default: 0, min: 0, max: 16_384, description }) as const;

/**
 * ComfyUI's `MaskComposite`: `source` placed at (`x`, `y`) on `destination`, combined with it by
 * `operation` where they overlap (elsewhere the destination is kept), clipped to 0..1. `and`,
 * `or` and `xor` act on the values rounded to 0 or 1.
 */
export const maskCompositeNode: OnnxNodeDefinition = {
  classType: 'MaskComposite',
  kind: 'onnx',
  description: 'Combines a source mask into a destination mask at (x, y).',
  inputs: {
    destination: { type: 'MASK', description: 'The mask underneath.' },
    source: { type: 'MASK', description: 'The mask combined into it.' },
    x: offsetPx('Left edge of the source, px.'),
    y: offsetPx('Top edge of the source, px.'),
    operation: { type: 'STRING', default: 'multiply', values: operations, description: 'How.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  build(context) {
    const { g } = context;
    const { int64s, scalar } = graphConstants(g);
    const destination = maskValue(context, 'destination');
    const source = maskValue(context, 'source');
    const dst = destination.name;
    const canvas = g.op('Slice', [g.op('Shape', [dst]), int64s(2), int64s(4)]);
    const { placed, region } = placeAt(
      g,
      source.name,
      canvas,
      context.literal('x') as number,
      context.literal('y') as number,
    );
    const outside = g.op('Sub', [scalar(1), region]);
    /** The combined value where the source is, the destination elsewhere. */
    const within = (combined: string) =>
      g.op('Add', [g.op('Mul', [region, combined]), g.op('Mul', [outside, dst])]);
    const bit = (x: string) => g.op('Round', [g.op('Clip', [x, scalar(0), scalar(1)])]);
    const combine: Record<Operation, () => string> = {
      multiply: () => g.op('Mul', [dst, g.op('Add', [placed, outside])]),
      add: () => g.op('Add', [dst, placed]),
      subtract: () => g.op('Sub', [dst, placed]),
      and: () => within(g.op('Mul', [bit(dst), bit(placed)])),
      or: () => within(g.op('Max', [bit(dst), bit(placed)])),
      xor: () => within(g.op('Abs', [g.op('Sub', [bit(dst), bit(placed)])])),
    };
    const operation = context.literal('operation') as Operation;
    const result = g.op('Clip', [combine[operation](), scalar(0), scalar(1)]);
    return [{ ...destination, name: result }];
  },
};
