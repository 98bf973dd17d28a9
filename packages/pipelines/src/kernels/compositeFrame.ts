import type * as ort from 'onnxruntime-node';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import type { SizePx } from '../workflow/GraphImage.ts';
import { type LowResPlane, UpsampledComposite } from './upsampledComposite.ts';

/** One per thread: `run` is synchronous, so plans on a thread can share it and its memory. */
let kernel: UpsampledComposite | undefined;

/** A float tensor `[1, channels, h, w]` as a plane (its first channel's) for the kernel. */
function lowResPlane(tensor: ort.Tensor, channels: number, what: string): LowResPlane {
  const [one, c, heightPx, widthPx] = tensor.dims;
  if (tensor.type !== 'float32' || one !== 1 || c !== channels || tensor.dims.length !== 4) {
    throw new Error(
      `the composite's ${what} is [${tensor.dims}] ${tensor.type}, not [1, ${channels}, h, w] float32`,
    );
  }
  return {
    data: tensor.data as Float32Array,
    offset: 0,
    widthPx: widthPx as number,
    heightPx: heightPx as number,
  };
}

/**
 * A new I420 frame of `size`: `under + mask · (over − under)`, `under` (`underLuma`
 * `[1, 1, h, w]`, `underChroma` `[1, 2, h', w']`) and `mask` (`[1, 1, h, w]`) upsampled
 * bilinearly to it (`UpsampledComposite`), over `over`, a frame of that size.
 */
export function compositeFrame(
  size: SizePx,
  over: Frame,
  underLuma: ort.Tensor,
  underChroma: ort.Tensor,
  mask: ort.Tensor,
  timestampUs: number,
): Frame {
  const { widthPx, heightPx } = size;
  if (over.widthPx !== widthPx || over.heightPx !== heightPx) {
    throw new Error(
      `the composite is ${widthPx}x${heightPx} but the image over it ${over.widthPx}x${over.heightPx}`,
    );
  }
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  kernel ??= new UpsampledComposite();
  kernel.run(
    {
      widthPx,
      heightPx,
      mask: lowResPlane(mask, 1, 'mask'),
      underLuma: lowResPlane(underLuma, 1, 'luma'),
      underChroma: lowResPlane(underChroma, 2, 'chroma'),
      over: i420Planes(over),
    },
    data,
  );
  return { widthPx, heightPx, format: 'i420', data, timestampUs };
}
