import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { graphConstants, type I420GraphInputs, lumaImage } from './i420GraphIo.ts';
import { sobelMagnitude } from './sobelMagnitude.ts';

/** Input and output names of the sketch graph. */
export const sketchGraphNames = {
  inputs: {
    /** Scalars of the ink ramp: `ink = clip(edge · ink_scale + ink_bias, 0, 1)`. */
    inkScale: 'ink_scale',
    inkBias: 'ink_bias',
  },
} as const;

/**
 * The sketch maths on planes already in a graph: float luma `[1, H·W]` and chroma (U = V = 128,
 * `[2, H/2, W/2]`), 0..255, for `addI420Outputs` or a workflow node.
 */
export function appendSketch(
  g: OnnxGraphBuilder,
  io: I420GraphInputs,
  inkScale: string,
  inkBias: string,
): { luma: string; chroma: string } {
  const { int64s, scalar } = graphConstants(g);
  const edge = sobelMagnitude(g, lumaImage(g, io));
  const ink = g.op('Clip', [
    g.op('Add', [g.op('Mul', [edge, inkScale]), inkBias]),
    scalar(0),
    scalar(1),
  ]);
  const luma = g.op('Sub', [scalar(235), g.op('Mul', [ink, scalar(219)])]);
  const chromaPlanesShape = g.op('Concat', [int64s(2), io.chromaShape], { axis: attr.int(0) });
  const chroma = g.op('Expand', [
    g.constant(Float32Array.of(128), [1, 1, 1], 'grey'),
    chromaPlanesShape,
  ]);
  return { luma, chroma };
}
