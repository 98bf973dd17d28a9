import { describe, expect, it } from 'vitest';
import { Fft } from './Fft.ts';

describe('Fft', () => {
  it('matches the direct DFT and inverts exactly (to rounding)', () => {
    const n = 64;
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + (i % 5) * 0.1);
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.3) * 0.5);
    const x = { re: Float64Array.from(re), im: Float64Array.from(im) };
    new Fft(n).forward(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const angle = (-2 * Math.PI * k * t) / n;
        sr += (x.re[t] as number) * Math.cos(angle) - (x.im[t] as number) * Math.sin(angle);
        si += (x.re[t] as number) * Math.sin(angle) + (x.im[t] as number) * Math.cos(angle);
      }
      expect(re[k]).toBeCloseTo(sr, 9);
      expect(im[k]).toBeCloseTo(si, 9);
    }
    new Fft(n).inverse(re, im);
    for (let t = 0; t < n; t++) {
      expect(re[t]).toBeCloseTo(x.re[t] as number, 12);
      expect(im[t]).toBeCloseTo(x.im[t] as number, 12);
    }
  });

  it('refuses sizes that are not powers of two, and arrays of another size', () => {
    expect(() => new Fft(48)).toThrow('power of two');
    expect(() => new Fft(64).forward(new Float64Array(32), new Float64Array(32))).toThrow(
      'FFT of size 64 got arrays of 32 and 32',
    );
  });
});
