import { describe, expect, it } from 'vitest';
import { parseVideoTiming, serializeVideoTiming, type VideoTiming } from './videoTiming.ts';

const timing: VideoTiming = {
  flags: 1,
  encodeStartMs: 2,
  encodeFinishMs: 7,
  packetizationFinishMs: 8,
  pacerExitMs: 11,
  networkMs: 300,
  network2Ms: 65_535,
};

describe('video-timing header extension', () => {
  it('writes 13 bytes (flags, six big-endian deltas) and reads them back', () => {
    const payload = serializeVideoTiming(timing);
    expect(payload.toString('hex')).toBe(
      '01' + '0002' + '0007' + '0008' + '000b' + '012c' + 'ffff',
    );
    expect(parseVideoTiming(payload)).toEqual(timing);
  });

  it('reads the older 12-byte form without flags', () => {
    const payload = serializeVideoTiming(timing).subarray(1);
    expect(parseVideoTiming(payload)).toEqual({ ...timing, flags: 0 });
  });

  it('refuses other lengths and clamps deltas it cannot write', () => {
    expect(parseVideoTiming(Buffer.alloc(3))).toBeUndefined();
    const clamped = parseVideoTiming(
      serializeVideoTiming({ ...timing, encodeStartMs: -4, networkMs: 70_000 }),
    );
    expect(clamped?.encodeStartMs).toBe(0);
    expect(clamped?.networkMs).toBe(65_535);
  });
});
