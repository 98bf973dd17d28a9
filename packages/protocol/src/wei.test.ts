import { describe, expect, it } from 'vitest';
import { formatEth, parseEth, weiPerEth } from './wei.ts';

describe('wei', () => {
  it('parses and formats ETH exactly', () => {
    expect(parseEth('1')).toBe(weiPerEth);
    expect(parseEth('0.000000000000000001')).toBe(1n);
    expect(parseEth('12.5')).toBe(12n * weiPerEth + weiPerEth / 2n);
    expect(formatEth(parseEth('0.0015'))).toBe('0.0015');
    expect(formatEth(-1n)).toBe('-0.000000000000000001');
    expect(formatEth(123n * weiPerEth)).toBe('123');
  });

  it('rejects amounts it cannot represent exactly', () => {
    expect(() => parseEth('0.0000000000000000001')).toThrow(/18 decimals/);
    expect(() => parseEth('1e18')).toThrow(RangeError);
    expect(() => parseEth('-1')).toThrow(RangeError);
  });
});
