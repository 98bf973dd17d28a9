import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** ONNX Resize modes for ComfyUI's upscale methods (area and lanczos have no exact ONNX twin). */
const resizeModes: Readonly<Record<string, string>> = {
  'nearest-exact': 'nearest',
  bilinear: 'linear',
  area: 'linear',
  bicubic: 'cubic',
  lanczos: 'cubic',
};

/**
 * ComfyUI's `ImageScale`: resizes to `width` × `height` (even, so the frame stays I420). Works on
 * the YUV planes (luma to the size, chroma to half), so no RGB round trip.
 */
export const imageScaleNode: OnnxNodeDefinition = {
  classType: 'ImageScale',
  kind: 'onnx',
  description: 'Resizes the image to width × height pixels (even sizes).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to resize.' },
    upscale_method: {
      type: 'STRING',
      default: 'bilinear',
      values: Object.keys(resizeModes),
      description: 'Interpolation: area is bilinear here, lanczos is bicubic.',
    },
    width: {
      type: 'INT',
      default: 512,
      min: 2,
      max: 4096,
      multipleOf: 2,
      description: 'Width in px.',
    },
    height: {
      type: 'INT',
      default: 512,
      min: 2,
      max: 4096,
      multipleOf: 2,
      description: 'Height in px.',
    },
    crop: {
      type: 'STRING',
      default: 'disabled',
      values: ['disabled'],
      description: 'Only "disabled": the image is stretched to the size.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const image = imageInput(context, 'image');
    const widthPx = context.literal('width') as number;
    const heightPx = context.literal('height') as number;
    const mode = resizeModes[context.literal('upscale_method') as string] ?? 'linear';
    const { luma, chroma } = image.yuvImages();
    const resize = (x: string, sizes: string) =>
      g.op('Resize', [x, '', '', sizes], {
        mode: attr.string(mode),
        coordinate_transformation_mode: attr.string(
          mode === 'nearest' ? 'asymmetric' : 'half_pixel',
        ),
        ...(mode === 'nearest' ? { nearest_mode: attr.string('floor') } : {}),
      });
    const yuv = {
      luma: resize(luma, int64s(1, 1, heightPx, widthPx)),
      chroma: resize(chroma, int64s(1, 2, heightPx / 2, widthPx / 2)),
    };
    const size = { widthPx, heightPx };
    return [
      { type: 'IMAGE', image: GraphImage.fromYuv(g, int64s(heightPx, widthPx), yuv, () => size) },
    ];
  },
};
