import { graphConstants } from '../graphs/i420GraphIo.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

const even = (description: string, fallback: number, min: number) =>
  ({ type: 'INT', default: fallback, min, max: 8192, multipleOf: 2, description }) as const;

/**
 * ComfyUI's `ImageCrop`: the `width` × `height` region at (`x`, `y`), clipped to the image. All
 * even, so the chroma planes crop exactly (a slice of the planes: lossless).
 */
export const imageCropNode: OnnxNodeDefinition = {
  classType: 'ImageCrop',
  kind: 'onnx',
  description: 'Crops a width × height region at (x, y); even values, clipped to the image.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to crop.' },
    width: even('Width of the region in px.', 512, 2),
    height: even('Height of the region in px.', 512, 2),
    x: even('Left edge of the region in px.', 0, 0),
    y: even('Top edge of the region in px.', 0, 0),
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const image = imageInput(context, 'image');
    const [w, h, x, y] = ['width', 'height', 'x', 'y'].map(
      (name) => context.literal(name) as number,
    ) as [number, number, number, number];
    const planes = image.planes();
    const slice = (plane: string, scale: number) =>
      g.op('Slice', [
        plane,
        int64s(y / scale, x / scale),
        int64s((y + h) / scale, (x + w) / scale),
        int64s(0, 1),
      ]);
    const cropped = { y: slice(planes.y, 1), u: slice(planes.u, 2), v: slice(planes.v, 2) };
    const size = (input: { widthPx: number; heightPx: number }) => {
      const outer = image.size(input);
      return {
        widthPx: Math.max(0, Math.min(w, outer.widthPx - x)),
        heightPx: Math.max(0, Math.min(h, outer.heightPx - y)),
      };
    };
    return [{ type: 'IMAGE', image: GraphImage.fromPlanes(g, cropped, size) }];
  },
};
