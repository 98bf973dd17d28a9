import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { graphConstants } from './i420GraphIo.ts';

/**
 * `source` (float `[1, C, h, w]`) placed on a canvas of `canvasHw` (int64 `[2]`: H, W) with its
 * top-left corner at (`x`, `y`) px: what falls outside the canvas is cut, the rest of the canvas
 * is 0. Also returns `region`, `[1, 1, H, W]`: 1 where the source landed, 0 elsewhere. Sizes are
 * read in the graph, so one graph serves every frame size.
 */
export function placeAt(
  g: OnnxGraphBuilder,
  source: string,
  canvasHw: string,
  x: number,
  y: number,
): { placed: string; region: string } {
  const { int64s, scalar } = graphConstants(g);
  const sourceHw = g.op('Slice', [g.op('Shape', [source]), int64s(2), int64s(4)]);
  const offset = int64s(y, x);
  const begin = g.op('Min', [offset, canvasHw]);
  const keep = g.op('Min', [sourceHw, g.op('Sub', [canvasHw, begin])]);
  const cropped = g.op('Slice', [source, int64s(0, 0), keep, int64s(2, 3)]);
  const end = g.op('Sub', [g.op('Sub', [canvasHw, begin]), keep]);
  const pads = g.op('Concat', [int64s(0, 0), begin, int64s(0, 0), end], { axis: attr.int(0) });
  const ones = g.op('Expand', [
    scalar(1),
    g.op('Concat', [int64s(1, 1), keep], { axis: attr.int(0) }),
  ]);
  return { placed: g.op('Pad', [cropped, pads]), region: g.op('Pad', [ones, pads]) };
}
