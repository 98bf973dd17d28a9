import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { graphConstants, type I420GraphInputs, lumaImage, yuvColumns } from './i420GraphIo.ts';
import { sobelMagnitude } from './sobelMagnitude.ts';

/** Input names of the toon graph. */
export const toonGraphNames = {
  inputs: {
    /** `[3, 3]` and `[3, 1]`: YUV → RGB in quantisation steps, `rgb / step` (`toonFeeds`). */
    matrix: 'matrix',
    offset: 'offset',
    /** Scalars: `levels − 1`; the step `255 / (levels − 1)`; `step · edge opacity`. */
    maxLevel: 'max_level',
    step: 'step',
    lineInk: 'line_ink',
  },
} as const;

/** Edge strength (`sobelMagnitude` units) where lines start, and the ramp to full ink. */
export const toonEdgeThreshold = 0.08;
export const toonEdgeRamp = 0.12;

/** The toon maths on planes already in a graph; `feeds` name the values of `toonGraphNames`. */
export function appendToon(
  g: OnnxGraphBuilder,
  io: I420GraphInputs,
  feeds: Readonly<Record<keyof typeof toonGraphNames.inputs, string>>,
): string {
  const { scalar } = graphConstants(g);
  const { matrix, offset, maxLevel, step, lineInk } = feeds;
  const inSteps = g.op('Add', [g.op('MatMul', [matrix, yuvColumns(g, io)]), offset]);
  const levels = g.op('Round', [g.op('Clip', [inSteps, scalar(0), maxLevel])]); // [3, H·W]
  const edge = sobelMagnitude(g, lumaImage(g, io)); // [1, H·W]
  const line = g.op('Clip', [
    g.op('Mul', [g.op('Sub', [edge, scalar(toonEdgeThreshold)]), scalar(1 / toonEdgeRamp)]),
    scalar(0),
    scalar(1),
  ]);
  const keep = g.op('Sub', [step, g.op('Mul', [line, lineInk])]); // step · (1 − opacity · line)
  return g.op('Mul', [levels, keep]); // RGB columns [3, H·W], 0..255
}
