import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { GraphImage, type SizeFn } from '../workflow/GraphImage.ts';
import { resizeImage } from './ImageScale.ts';

/** Whether two images have the same size for every input size (checked at two sizes). */
export function sameSizes(a: SizeFn, b: SizeFn): boolean {
  return [
    { widthPx: 640, heightPx: 480 },
    { widthPx: 1282, heightPx: 722 },
  ].every((input) => {
    const [x, y] = [a(input), b(input)];
    return x.widthPx === y.widthPx && x.heightPx === y.heightPx;
  });
}

/** The image `over` as big as `like` (resized bilinearly when their sizes differ). */
export function sizedLike(g: OnnxGraphBuilder, over: GraphImage, like: GraphImage): GraphImage {
  if (sameSizes(over.size, like.size)) return over;
  const yuv = resizeImage(g, over, like.lumaShape, 'bilinear');
  return GraphImage.fromYuv(g, like.lumaShape, yuv, like.size);
}
