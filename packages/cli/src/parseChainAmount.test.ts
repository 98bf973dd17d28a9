import { describe, expect, it } from 'vitest';
import {
  parseEthAmount,
  parseLptAmount,
  parsePercentPpm,
  parseWholeNumber,
} from './parseChainAmount.ts';

describe('chain command amounts', () => {
  it('parses ETH and LPT exactly to wei, never through a float', () => {
    expect(parseEthAmount('a', '1.5eth')).toBe(1_500_000_000_000_000_000n);
    expect(parseEthAmount('a', '1.5')).toBe(1_500_000_000_000_000_000n);
    expect(parseEthAmount('a', '0.1 ETH')).toBe(100_000_000_000_000_000n);
    expect(parseEthAmount('a', '20gwei')).toBe(20_000_000_000n);
    expect(parseEthAmount('a', '1000000000wei')).toBe(1_000_000_000n);
    expect(parseEthAmount('a', '0.000000000000000001')).toBe(1n);
    expect(parseEthAmount('a', '123456789.123456789123456789')).toBe(
      123_456_789_123_456_789_123_456_789n,
    );
    expect(parseLptAmount('a', '1000')).toBe(1000n * 10n ** 18n);
    expect(parseLptAmount('a', '2.5lpt')).toBe(25n * 10n ** 17n);
    expect(parseLptAmount('a', '5wei')).toBe(5n);
  });

  it('refuses what is not an exact amount, naming the field', () => {
    for (const bad of ['', 'eth', '-1', '1e18', '1.5xyz', '1,5', '0x10', '1.2.3', '1.5wei']) {
      expect(() => parseEthAmount('amount', bad), bad).toThrow(/^amount: /);
    }
    expect(() => parseEthAmount('amount', '0.0000000000000000001')).toThrow(/18 decimals/);
    expect(() => parseEthAmount('amount', '1.5gwei0')).toThrow(/amount/);
    expect(() => parseLptAmount('amount', '1eth')).toThrow(/lpt/);
  });

  it('parses percentages to parts per million, at most 100 %', () => {
    expect(parsePercentPpm('c', '10')).toBe(100_000n);
    expect(parsePercentPpm('c', '12.5%')).toBe(125_000n);
    expect(parsePercentPpm('c', '0.0001')).toBe(1n);
    expect(parsePercentPpm('c', '100%')).toBe(1_000_000n);
    expect(parsePercentPpm('c', '125000ppm')).toBe(125_000n);
    expect(() => parsePercentPpm('--fee-share', '100.5')).toThrow(
      /--fee-share: 100.5 is above 100 %/,
    );
    expect(() => parsePercentPpm('c', '1000001ppm')).toThrow(/above 100/);
    expect(() => parsePercentPpm('c', '0.00001')).toThrow(/percentage/);
    expect(() => parsePercentPpm('c', 'ten')).toThrow(/percentage/);
    expect(parseWholeNumber('id', '7')).toBe(7n);
    expect(() => parseWholeNumber('id', '-1')).toThrow(/whole number/);
  });
});
