import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { yuvToRgb } from './bt601.ts';
import { graphConstants } from './i420GraphIo.ts';

/** Input and output names of the letterbox graph. */
export const letterboxGraphNames = {
  inputs: {
    y: 'y',
    u: 'u',
    v: 'v',
    /** int64 `[4]`: `[1, 1, h, w]`, the size the frame is resized to (aspect kept). */
    sizes: 'sizes',
    /** int64 `[8]`: ONNX Pad pads for NCHW, centring the resized frame in the square. */
    pads: 'pads',
  },
  outputs: { image: 'image' },
} as const;

/**
 * A model input from an I420 frame of any even size: the planes resized (bilinear) to the fed
 * `sizes`, BT.601 → RGB, scaled to `low..high` (MediaPipe models: −1..1), padded with `low`
 * (black) to a square by the fed `pads`, NHWC `[1, side, side, 3]`. The caller computes sizes
 * and pads per frame size (`letterbox()`), so one model serves every frame size.
 */
export function buildLetterboxGraph(low = -1, high = 1): Uint8Array {
  const g = new OnnxGraphBuilder({ graphName: 'peerframe_letterbox' });
  const { int64s, scalar } = graphConstants(g);
  const { inputs, outputs } = letterboxGraphNames;
  const y = g.addInput(inputs.y, 'uint8', ['H', 'W']);
  const u = g.addInput(inputs.u, 'uint8', ['H_2', 'W_2']);
  const v = g.addInput(inputs.v, 'uint8', ['H_2', 'W_2']);
  const sizes = g.addInput(inputs.sizes, 'int64', [4]);
  const pads = g.addInput(inputs.pads, 'int64', [8]);
  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]);
  const resize = (image: string, sizeOf: string) =>
    g.op('Resize', [image, '', '', sizeOf], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  const chromaSizes = g.op('Concat', [int64s(1, 2), g.op('Slice', [sizes, int64s(2), int64s(4)])], {
    axis: attr.int(0),
  });
  const luma = resize(toImage(y), sizes);
  const chroma = resize(
    g.op('Concat', [toImage(u), toImage(v)], { axis: attr.int(1) }),
    chromaSizes,
  );
  const yuv = g.op('Cast', [g.op('Concat', [luma, chroma], { axis: attr.int(1) })], {
    to: attr.int(1),
  });
  const span = high - low;
  const matrix = g.constant(
    Float32Array.from(yuvToRgb.matrix, (m) => (m * span) / 255),
    [3, 3],
    'm',
  );
  const offset = g.constant(
    Float32Array.from(yuvToRgb.offset, (o) => (o * span) / 255 + low),
    [3, 1],
    'o',
  );
  const rgb = g.op('Clip', [
    g.op('Add', [g.op('MatMul', [matrix, g.op('Reshape', [yuv, int64s(3, -1)])]), offset]),
    scalar(low),
    scalar(high),
  ]);
  const image = g.op('Reshape', [rgb, g.op('Shape', [yuv])]);
  const padded = g.op('Pad', [image, pads, scalar(low)], { mode: attr.string('constant') });
  g.op('Transpose', [padded], { perm: attr.ints([0, 2, 3, 1]) }, outputs.image);
  g.addOutput(outputs.image, 'float32', [1, 'S', 'S', 3]);
  return g.toBytes();
}

/** Resize size and pads to fit a `widthPx` × `heightPx` frame centred in a `sidePx` square. */
export function letterbox(
  widthPx: number,
  heightPx: number,
  sidePx: number,
): { scaledWidthPx: number; scaledHeightPx: number; padLeftPx: number; padTopPx: number } {
  const scale = sidePx / Math.max(widthPx, heightPx);
  const scaledWidthPx = Math.max(1, Math.round(widthPx * scale));
  const scaledHeightPx = Math.max(1, Math.round(heightPx * scale));
  return {
    scaledWidthPx,
    scaledHeightPx,
    padLeftPx: Math.floor((sidePx - scaledWidthPx) / 2),
    padTopPx: Math.floor((sidePx - scaledHeightPx) / 2),
  };
}
