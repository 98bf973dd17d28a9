import { type Frame, i420ByteLength, i420Planes } from './Frame.ts';

/**
 * An odd-sized I420 frame as the next even size: the last column and/or row of luma repeated.
 * Chroma needs nothing: its planes are already ⌈width/2⌉ × ⌈height/2⌉, the even size's. A frame of
 * even size is returned as it is.
 */
export function padI420ToEven(frame: Frame): Frame {
  const { widthPx, heightPx } = frame;
  if (widthPx % 2 === 0 && heightPx % 2 === 0) return frame;
  const evenWidth = widthPx + (widthPx % 2);
  const evenHeight = heightPx + (heightPx % 2);
  const data = new Uint8Array(i420ByteLength(evenWidth, evenHeight));
  const { y, u, v } = i420Planes(frame);
  for (let row = 0; row < evenHeight; row++) {
    const from = Math.min(row, heightPx - 1) * widthPx;
    const to = row * evenWidth;
    data.set(y.subarray(from, from + widthPx), to);
    if (evenWidth > widthPx) data[to + widthPx] = y[from + widthPx - 1] as number;
  }
  data.set(u, evenWidth * evenHeight);
  data.set(v, evenWidth * evenHeight + u.length);
  return { ...frame, widthPx: evenWidth, heightPx: evenHeight, data };
}

/**
 * The top-left `widthPx` × `heightPx` of a frame made by `padI420ToEven` (its chroma planes are
 * the odd size's as they are). A frame of that size already is returned as it is.
 */
export function cropI420FromEven(frame: Frame, widthPx: number, heightPx: number): Frame {
  if (frame.widthPx === widthPx && frame.heightPx === heightPx) return frame;
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  const { y, u, v } = i420Planes(frame);
  for (let row = 0; row < heightPx; row++) {
    data.set(y.subarray(row * frame.widthPx, row * frame.widthPx + widthPx), row * widthPx);
  }
  data.set(u, widthPx * heightPx);
  data.set(v, widthPx * heightPx + u.length);
  return { ...frame, widthPx, heightPx, data };
}
