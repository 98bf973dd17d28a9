import { describe, expect, it } from 'vitest';
import { decodeFloat16, float16ToFloat32 } from './float16ToFloat32.ts';

describe('float16ToFloat32', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65_504],
    [0x0400, 2 ** -14], // smallest normal
    [0x0001, 2 ** -24], // smallest subnormal
    [0x7c00, Number.POSITIVE_INFINITY],
    [0xfc00, Number.NEGATIVE_INFINITY],
  ])('decodes 0x%s', (bits, value) => {
    expect(float16ToFloat32(bits)).toBe(value);
  });

  it('decodes NaN and little-endian buffers', () => {
    expect(float16ToFloat32(0x7e00)).toBeNaN();
    expect(Array.from(decodeFloat16(Uint8Array.of(0x00, 0x3c, 0x00, 0xc0)))).toEqual([1, -2]);
  });
});
