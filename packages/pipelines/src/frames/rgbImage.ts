import { applyAffine3, rgbToYuv } from '../graphs/bt601.ts';
import { InvalidFrameError } from '../pipeline/errors.ts';
import { type Frame, i420ByteLength, i420Planes } from './Frame.ts';

/** Interleaved 8-bit RGB, row-major. */
export type RgbImage = { widthPx: number; heightPx: number; rgb: Uint8Array };

/** Decodes a binary PPM (P6, maxval 255). Other data throws `InvalidFrameError`. */
export function decodePpm(bytes: Uint8Array, name = 'image'): RgbImage {
  const fields: string[] = [];
  let at = 0;
  const isSpace = (byte: number | undefined) =>
    byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
  while (fields.length < 4 && at < bytes.length && at < 256) {
    while (isSpace(bytes[at])) at++;
    if (bytes[at] === 0x23) {
      while (at < bytes.length && bytes[at] !== 0x0a) at++; // a comment line
      continue;
    }
    let field = '';
    while (at < bytes.length && !isSpace(bytes[at]))
      field += String.fromCharCode(bytes[at++] as number);
    fields.push(field);
  }
  const [magic, width, height, maxval] = fields;
  const widthPx = Number(width);
  const heightPx = Number(height);
  const start = at + 1; // one whitespace byte after maxval
  if (
    magic !== 'P6' ||
    maxval !== '255' ||
    !Number.isInteger(widthPx) ||
    !Number.isInteger(heightPx) ||
    widthPx < 1 ||
    heightPx < 1 ||
    bytes.length < start + widthPx * heightPx * 3
  ) {
    throw new InvalidFrameError(`${name} is not an 8-bit binary PPM (P6)`);
  }
  return { widthPx, heightPx, rgb: bytes.slice(start, start + widthPx * heightPx * 3) };
}

const clampByte = (value: number) => Math.min(255, Math.max(0, Math.round(value)));

/**
 * An I420 frame of an RGB image (even size), BT.601 limited range: Y per pixel, U and V from the
 * 2×2 average, as an encoder does.
 */
export function rgbToI420Frame(image: RgbImage, timestampUs = 0): Frame {
  const { widthPx, heightPx } = image;
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  const frame: Frame = { widthPx, heightPx, format: 'i420', data, timestampUs };
  const { y, u, v } = i420Planes(frame);
  for (let row = 0; row < heightPx; row += 2) {
    for (let col = 0; col < widthPx; col += 2) {
      let uSum = 0;
      let vSum = 0;
      for (const [dy, dx] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const) {
        const i = ((row + dy) * widthPx + col + dx) * 3;
        const [luma, cb, cr] = applyAffine3(
          rgbToYuv,
          image.rgb[i] as number,
          image.rgb[i + 1] as number,
          image.rgb[i + 2] as number,
        );
        y[(row + dy) * widthPx + col + dx] = clampByte(luma);
        uSum += cb;
        vSum += cr;
      }
      u[(row / 2) * (widthPx / 2) + col / 2] = clampByte(uSum / 4);
      v[(row / 2) * (widthPx / 2) + col / 2] = clampByte(vSum / 4);
    }
  }
  return frame;
}
