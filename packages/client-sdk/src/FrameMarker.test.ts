import { describe, expect, it } from 'vitest';
import { readFrameMarker, writeFrameMarker } from './FrameMarker.ts';
import { lumaMeanAbsDiff, SyntheticVideo } from './SyntheticVideo.ts';

describe('frame marker', () => {
  it('round-trips frame numbers at several sizes', () => {
    for (const [w, h] of [
      [512, 512],
      [1280, 720],
      [320, 240],
    ] as const) {
      const video = new SyntheticVideo(w, h);
      for (const n of [0, 1, 29, 1000, 2 ** 24 - 1]) {
        expect(readFrameMarker(video.frame(n).data, w, h)).toEqual({
          frameNumber: n,
          inverted: false,
        });
      }
    }
  });

  it('reads an inverted frame and reports the inversion', () => {
    const video = new SyntheticVideo(512, 512);
    const { data } = video.frame(4242);
    const negative = data.map((v) => 251 - v);
    expect(readFrameMarker(negative, 512, 512)).toEqual({ frameNumber: 4242, inverted: true });
  });

  it('survives noise and a 2× downscale', () => {
    const video = new SyntheticVideo(1280, 720);
    const { data } = video.frame(777);
    const small = new Uint8Array(640 * 360);
    for (let y = 0; y < 360; y++) {
      for (let x = 0; x < 640; x++) {
        const v = data[2 * y * 1280 + 2 * x] ?? 0;
        small[y * 640 + x] = Math.max(0, Math.min(255, v + ((x * 7 + y * 13) % 31) - 15));
      }
    }
    expect(readFrameMarker(small, 640, 360)?.frameNumber).toBe(777);
  });

  it('rejects a flat or corrupted band instead of guessing', () => {
    expect(readFrameMarker(new Uint8Array(512 * 512).fill(128), 512, 512)).toBeUndefined();
    const { data } = new SyntheticVideo(512, 512).frame(12345);
    // Flip the cell of the lowest number bit (cell 25): the check bits no longer match.
    const band = 32;
    for (let y = 0; y < band; y++)
      for (let x = 25 * 16; x < 26 * 16; x++) data[y * 512 + x] = 251 - (data[y * 512 + x] ?? 0);
    expect(readFrameMarker(data, 512, 512)).toBeUndefined();
  });

  it('refuses frame numbers it cannot code', () => {
    expect(() => writeFrameMarker(new Uint8Array(100_000), 256, 256, 2 ** 24)).toThrow(RangeError);
  });
});

describe('synthetic video', () => {
  it('is deterministic and moves between frames', () => {
    const video = new SyntheticVideo(320, 240);
    expect(video.frame(5).data).toEqual(video.frame(5).data);
    expect(lumaMeanAbsDiff(video.frame(5), video, 5)).toBe(0);
    expect(lumaMeanAbsDiff(video.frame(6), video, 5)).toBeGreaterThan(1);
    expect(lumaMeanAbsDiff(video.frame(5), video, 5, (y) => 251 - y)).toBeGreaterThan(20);
  });

  it('keeps luma inside 70..185 so colour round trips stay in gamut', () => {
    const { data } = new SyntheticVideo(256, 256).frame(3);
    const content = data.subarray(256 * 16, 256 * 256);
    expect(Math.min(...content)).toBeGreaterThanOrEqual(70);
    expect(Math.max(...content)).toBeLessThanOrEqual(185);
  });
});
