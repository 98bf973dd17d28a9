import { OnnxModelError } from '../onnx/errors.ts';
import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import {
  addI420Inputs,
  addI420Outputs,
  chromaImage,
  graphConstants,
  type I420GraphInputs,
  lumaImage,
} from './i420GraphIo.ts';

/**
 * An ONNX model that pixelates an I420 frame (any even size) into `blockSizePx`-square blocks
 * (even, so that each luma block covers exactly a `blockSizePx / 2` chroma block): each plane is
 * average-pooled (kernel = stride = block; the partial blocks at the right and bottom edges
 * average their real pixels only), upsampled by nearest-neighbour repetition and cropped to the
 * frame. Block edges start at the top-left corner. The block size is an attribute of the pooling,
 * so another size needs another model.
 */
export function buildPixelateGraph(blockSizePx: number): Uint8Array {
  if (!Number.isInteger(blockSizePx) || blockSizePx < 2 || blockSizePx % 2 !== 0) {
    throw new OnnxModelError(`Invalid pixelate block size ${blockSizePx}`, {
      details: 'blockSizePx must be an even integer >= 2',
    });
  }
  const g = new OnnxGraphBuilder({ graphName: 'peerframe_pixelate' });
  const io = addI420Inputs(g);
  const { luma, chroma } = appendPixelate(g, io, blockSizePx);
  addI420Outputs(g, io, luma, chroma);
  return g.toBytes();
}

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
