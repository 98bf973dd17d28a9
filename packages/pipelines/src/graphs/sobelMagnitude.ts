import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { graphConstants } from './i420GraphIo.ts';

/** Sobel response of a limited-range black-to-white luma step (219 levels): 4 · 219. */
const fullStepResponse = 4 * 219;

/**
 * Edge strength of a float luma image `[1, 1, H, W]`: the Sobel gradient magnitude, edges padded
 * by replication, scaled so that a sharp black (16) to white (235) step reads 1 at the two pixels
 * either side of it and a flat area reads 0. Returns the pixels as one row, `[1, H·W]`.
 *
 * One Conv with two output channels (x and y kernels); the session should use graph optimisation
 * level `'extended'`, since `'all'` pads one-channel convolutions to the NCHWc block size.
 */
export function sobelMagnitude(g: OnnxGraphBuilder, luma: string): string {
  const { int64s } = graphConstants(g);
  const padded = g.op('Pad', [luma, int64s(0, 0, 1, 1, 0, 0, 1, 1)], {
    mode: attr.string('edge'),
  });
  const gx = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
  const gy = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
  const weights = Float32Array.from([...gx, ...gy], (w) => w / fullStepResponse);
  const gradient = g.op('Conv', [padded, g.constant(weights, [2, 1, 3, 3], 'sobel')]);
  // gx² + gy² as a [1, 2] × [2, H·W] MatMul: much faster than ReduceSum or ReduceL2 over axis 1.
  const squared = g.op('Reshape', [g.op('Mul', [gradient, gradient]), int64s(2, -1)]);
  const sum = g.op('MatMul', [g.constant(Float32Array.of(1, 1), [1, 2], 'ones'), squared]);
  return g.op('Sqrt', [sum]);
}
