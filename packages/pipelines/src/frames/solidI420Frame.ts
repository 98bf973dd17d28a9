import { type Frame, i420ByteLength } from './Frame.ts';

/** A frame of one colour (Y, U and V values), e.g. for a node's test. */
export function solidI420Frame(
  widthPx: number,
  heightPx: number,
  color: { readonly y: number; readonly u: number; readonly v: number },
  timestampUs = 0,
): Frame {
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  const lumaBytes = widthPx * heightPx;
  const chromaBytes = (data.length - lumaBytes) / 2;
  data.fill(color.y, 0, lumaBytes);
  data.fill(color.u, lumaBytes, lumaBytes + chromaBytes);
  data.fill(color.v, lumaBytes + chromaBytes);
  return { widthPx, heightPx, format: 'i420', data, timestampUs };
}
