import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { graphConstants, type I420GraphInputs, yuvColumns } from './i420GraphIo.ts';

/** Entries of each per-channel curve table: RGB 0..255 sampled in steps of 255 / 1023. */
export const colorGradeCurveSize = 1024;

/** Input names of the colour grade graph. */
export const colorGradeGraphNames = {
  inputs: {
    /**
     * `[3, 3]` row-major: YUV (limited range) → graded RGB scaled to curve-table positions
     * (0..1023 for RGB 0..255), BT.601 conversion folded in.
     */
    matrix: 'matrix',
    /** `[3, 1]`: added after the matrix (plus 0.5, so that truncating rounds). */
    offset: 'offset',
    /** `[3, 1024]`: per-channel curves, output RGB 0..255 at each table position. */
    curves: 'curves',
  },
} as const;

/** The grading maths on planes already in a graph: RGB columns `[3, H·W]`, 0..255. */
export function appendColorGrade(
  g: OnnxGraphBuilder,
  io: I420GraphInputs,
  feeds: Readonly<Record<keyof typeof colorGradeGraphNames.inputs, string>>,
): string {
  const { scalar } = graphConstants(g);
  const position = g.op('Add', [g.op('MatMul', [feeds.matrix, yuvColumns(g, io)]), feeds.offset]);
  const clipped = g.op('Clip', [position, scalar(0), scalar(colorGradeCurveSize - 1)]);
  const index = g.op('Cast', [clipped], { to: attr.int(6) }); // int32, truncating
  return g.op('GatherElements', [feeds.curves, index], { axis: attr.int(1) });
}
