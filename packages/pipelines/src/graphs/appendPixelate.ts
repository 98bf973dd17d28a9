import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { chromaImage, graphConstants, type I420GraphInputs, lumaImage } from './i420GraphIo.ts';

/** The pixelate maths on planes already in a graph: float luma and chroma images, 0..255. */
export function appendPixelate(
  g: OnnxGraphBuilder,
  io: I420GraphInputs,
  blockSizePx: number,
): { luma: string; chroma: string } {
  const { int64s, floats } = graphConstants(g);
  const pixelate = (image: string, block: number, shape: string) => {
    const pooled =
      block === 1
        ? image
        : g.op('AveragePool', [image], {
            kernel_shape: attr.ints([block, block]),
            strides: attr.ints([block, block]),
            ceil_mode: attr.int(1),
          });
    const repeated =
      block === 1
        ? pooled
        : g.op('Resize', [pooled, '', floats([1, 1, block, block], [4])], {
            mode: attr.string('nearest'),
            coordinate_transformation_mode: attr.string('asymmetric'),
            nearest_mode: attr.string('floor'),
          });
    return g.op('Slice', [repeated, int64s(0, 0), shape, int64s(2, 3)]);
  };
  const luma = pixelate(lumaImage(g, io), blockSizePx, io.lumaShape);
  const chroma = pixelate(chromaImage(g, io), blockSizePx / 2, io.chromaShape);
  return { luma, chroma };
}
