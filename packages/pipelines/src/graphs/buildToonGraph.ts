import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import {
  addI420Inputs,
  addI420OutputsFromRgb,
  graphConstants,
  type I420GraphInputs,
  lumaImage,
  yuvColumns,
} from './i420GraphIo.ts';
import { sobelMagnitude } from './sobelMagnitude.ts';

/** Input names of the toon graph (beside the planes of `filterGraphNames`). */
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

/**
 * An ONNX model that makes an I420 frame (any even size) look like a cartoon: each RGB channel
 * (BT.601, clipped 0..255) posterised to `round(rgb / step) · step`, then multiplied by
 * `1 − opacity · clip((edge − threshold) / ramp, 0, 1)`, where edge is the Sobel magnitude of the
 * input luma; back to I420 (U and V from the 2×2 average). The division by the step is folded
 * into the colour matrix and the multiplication into the edge factor, both fed per frame (see
 * `toonFilter`), so levels and edge opacity change without a new session.
 */
export function buildToonGraph(): Uint8Array {
  const g = new OnnxGraphBuilder({ graphName: 'peerframe_toon' });
  const io = addI420Inputs(g);
  const { inputs } = toonGraphNames;
  const rgb = appendToon(g, io, {
    matrix: g.addInput(inputs.matrix, 'float32', [3, 3]),
    offset: g.addInput(inputs.offset, 'float32', [3, 1]),
    maxLevel: g.addInput(inputs.maxLevel, 'float32', []),
    step: g.addInput(inputs.step, 'float32', []),
    lineInk: g.addInput(inputs.lineInk, 'float32', []),
  });
  addI420OutputsFromRgb(g, io, rgb);
  return g.toBytes();
}

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
