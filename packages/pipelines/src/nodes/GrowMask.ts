import { graphConstants } from '../graphs/i420GraphIo.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { maskValue } from './nodeInputs.ts';

/** Largest grow or shrink, px: each px of a tapered grow is a few ops in the graph. */
const maxExpandPx = 256;

/** Grey dilation of `[1, 1, H, W]` by one px: max over the 4-neighbourhood (a cross), edges repeated. */
function dilateCross(g: OnnxGraphBuilder, mask: string): string {
  const { int64s } = graphConstants(g);
  const padded = g.op('Pad', [mask, int64s(0, 0, 1, 1, 0, 0, 1, 1)], { mode: attr.string('edge') });
  const end = 2 ** 62;
  const slice = (y0: number, y1: number, x0: number, x1: number) =>
    g.op('Slice', [padded, int64s(y0, x0), int64s(y1, x1), int64s(2, 3)]);
  const centre = slice(1, -1, 1, -1);
  return g.op('Max', [
    centre,
    slice(0, -2, 1, -1),
    slice(2, end, 1, -1),
    slice(1, -1, 0, -2),
    slice(1, -1, 2, end),
  ]);
}

/** Grey dilation by `n` px with a square `(2n + 1)²` window, edges repeated: one MaxPool. */
function dilateSquare(g: OnnxGraphBuilder, mask: string, n: number): string {
  const { int64s } = graphConstants(g);
  const padded = g.op('Pad', [mask, int64s(0, 0, n, n, 0, 0, n, n)], { mode: attr.string('edge') });
  return g.op('MaxPool', [padded], { kernel_shape: attr.ints([2 * n + 1, 2 * n + 1]) });
}

/**
 * ComfyUI's `GrowMask`: grows the mask by `expand` px (shrinks it when negative) — a grey
 * dilation (erosion), one px at a time with a cross (`tapered_corners`, ComfyUI's default: rounded
 * corners) or at once with a square.
 */
export const growMaskNode: OnnxNodeDefinition = {
  classType: 'GrowMask',
  kind: 'onnx',
  description: 'Grows the mask by expand px, or shrinks it when expand is negative.',
  inputs: {
    mask: { type: 'MASK', description: 'The mask.' },
    expand: {
      type: 'INT',
      default: 0,
      min: -maxExpandPx,
      max: maxExpandPx,
      description: 'Px to grow (negative: shrink).',
    },
    tapered_corners: { type: 'BOOLEAN', default: true, description: 'Round (cross) corners.' },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  graphOptimizationLevel: 'extended',
  build(context) {
    const { g } = context;
    const mask = maskValue(context, 'mask');
    const expand = context.literal('expand') as number;
    const n = Math.abs(expand);
    if (n === 0) return [mask];
    // Erosion is the dilation of the negative.
    let value = expand > 0 ? mask.name : g.op('Neg', [mask.name]);
    if (context.literal('tapered_corners') === true) {
      for (let i = 0; i < n; i++) value = dilateCross(g, value);
    } else {
      value = dilateSquare(g, value, n);
    }
    return [{ ...mask, name: expand > 0 ? value : g.op('Neg', [value]) }];
  },
};
