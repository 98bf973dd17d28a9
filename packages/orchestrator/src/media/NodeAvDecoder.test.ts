import { describe, expect, it } from 'vitest';
import type { I420Picture } from './CodecEngine.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { PictureBuffers } from './PictureBuffers.ts';

const engine = await NodeAvEngine.create({ hardware: 'off' });

/**
 * An I420 picture, packed, whose neighbouring rows differ by tens of levels (a slow ramp along
 * each row, shifted by `n`): a plane copied with the wrong stride, or from the wrong row, cannot
 * match it.
 */
function gradient(widthPx: number, heightPx: number, n: number): I420Picture {
  const chromaWidthPx = Math.ceil(widthPx / 2);
  const chromaHeightPx = Math.ceil(heightPx / 2);
  const data = new Uint8Array(widthPx * heightPx + 2 * chromaWidthPx * chromaHeightPx);
  let at = 0;
  for (const [w, h, base] of [
    [widthPx, heightPx, 40],
    [chromaWidthPx, chromaHeightPx, 90],
    [chromaWidthPx, chromaHeightPx, 150],
  ] as const) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data[at++] = base + ((37 * y + (x >> 3) + n) % 64);
  }
  return { widthPx, heightPx, data };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

describe('NodeAvDecoder pictures', () => {
  // Widths whose rows FFmpeg pads (its planes' strides are multiples of 32 or 64), and for VP8 odd
  // sides, whose chroma planes round up.
  it.each([
    { codec: 'VP8', widthPx: 99, heightPx: 61 },
    { codec: 'H264', widthPx: 98, heightPx: 62 },
  ] as const)(
    '$codec at $widthPx×$heightPx: packed I420 without padding, in buffers handed back for reuse',
    async ({ codec, widthPx, heightPx }) => {
      const encoder = engine.createEncoder({
        codec,
        widthPx,
        heightPx,
        fps: 30,
        bitrateKbps: 2000,
      });
      const buffers = new PictureBuffers();
      const decoder = engine.createDecoder(codec, buffers);
      try {
        const decoded: Uint8Array[] = [];
        const sent: I420Picture[] = [];
        for (let n = 0; n < 6; n++) {
          const picture = gradient(widthPx, heightPx, n);
          sent.push(picture);
          for (const frame of await encoder.encode(picture, { keyframe: n === 0 })) {
            for (const out of await decoder.decode(frame)) {
              expect([out.widthPx, out.heightPx]).toEqual([widthPx, heightPx]);
              decoded.push(out.data.slice());
              // The picture is done with: its buffer is the next picture's.
              if (n >= 3) buffers.give(out.data);
              else expect(out.data.buffer.byteLength).toBe(picture.data.byteLength);
            }
          }
        }
        expect(decoded).toHaveLength(6);
        for (const [n, data] of decoded.entries()) {
          const want = sent[n]?.data ?? new Uint8Array();
          expect(data.byteLength).toBe(want.byteLength);
          // Lossy, but each plane's rows where they belong (a stride or row error is tens of levels).
          expect(meanAbsDiff(data, want)).toBeLessThan(4);
          // (The same picture one row off, for scale.)
          expect(meanAbsDiff(data.subarray(widthPx), want)).toBeGreaterThan(20);
        }
        // Pictures 4 and 5 came in the buffers of pictures 3 and 4.
        expect(buffers.reused).toBe(2);
      } finally {
        await Promise.all([encoder.close(), decoder.close()]);
      }
    },
  );
});
