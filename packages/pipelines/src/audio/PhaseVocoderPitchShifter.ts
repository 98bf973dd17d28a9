import { Fft } from './Fft.ts';

/** Analysis frames per window: hop = fftSize / overlap (4: 75 % overlap, Hann windows). */
const overlap = 4;

/** Highest and lowest pitch ratio (two octaves either way). */
export const maxPitchRatio = 4;
export const minPitchRatio = 0.25;

/**
 * The FFT size for a sample rate: the largest power of two within 50 ms (2048 at 44.1 and 48 kHz,
 * 1024 at 24 kHz, 512 at 16 kHz), long enough to resolve the harmonics of a low voice (~85 Hz)
 * with a Hann window.
 */
export function pitchShifterFftSize(sampleRateHz: number): number {
  return 2 ** Math.floor(Math.log2(sampleRateHz * 0.05));
}

/**
 * A streaming pitch shifter for one channel that keeps duration: a phase vocoder that moves each
 * analysis bin's energy to `ratio` times its frequency. Per hop (fftSize / 4 samples) it takes a
 * Hann-windowed FFT of the last fftSize input samples, estimates each bin's true frequency from
 * its phase advance since the previous hop, writes magnitude and scaled frequency to bin
 * round(k·ratio), rebuilds phases by accumulating the new frequencies, and overlap-adds the
 * windowed inverse FFT.
 *
 * Samples out = samples in, at any ratio; the output lags the input by
 * {@link latencySamples} = fftSize (2048 samples, 42.7 ms, at 48 kHz): a window is analysed once
 * its last hop has arrived, and its oldest samples are complete only then. The ratio may change
 * on every call.
 */
export class PhaseVocoderPitchShifter {
  readonly fftSize: number;
  readonly hopSize: number;
  readonly latencySamples: number;
  readonly #fft: Fft;
  readonly #window: Float64Array;
  readonly #input: Float64Array;
  readonly #output: Float64Array;
  readonly #accumulator: Float64Array;
  readonly #lastPhase: Float64Array;
  readonly #phaseSum: Float64Array;
  readonly #magnitude: Float64Array;
  readonly #frequency: Float64Array;
  readonly #analysisRe: Float64Array;
  readonly #analysisIm: Float64Array;
  readonly #outFrequency: Float64Array;
  readonly #peaks: Int32Array;
  readonly #re: Float64Array;
  readonly #im: Float64Array;
  /** Where the next input sample goes in `#input` (fftSize − hop..fftSize). */
  #rover: number;

  constructor(fftSize: number) {
    this.#fft = new Fft(fftSize);
    if (fftSize < 16) throw new RangeError(`Pitch shifter FFT size must be >= 16; got ${fftSize}`);
    this.fftSize = fftSize;
    this.hopSize = fftSize / overlap;
    this.latencySamples = fftSize;
    this.#window = new Float64Array(fftSize);
    for (let n = 0; n < fftSize; n++)
      this.#window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / fftSize);
    const bins = fftSize / 2 + 1;
    this.#input = new Float64Array(fftSize);
    this.#output = new Float64Array(fftSize);
    this.#accumulator = new Float64Array(fftSize);
    this.#lastPhase = new Float64Array(bins);
    this.#phaseSum = new Float64Array(bins);
    this.#magnitude = new Float64Array(bins);
    this.#frequency = new Float64Array(bins);
    this.#analysisRe = new Float64Array(bins);
    this.#analysisIm = new Float64Array(bins);
    this.#outFrequency = new Float64Array(bins);
    this.#peaks = new Int32Array(bins);
    this.#re = new Float64Array(fftSize);
    this.#im = new Float64Array(fftSize);
    this.#rover = fftSize - this.hopSize;
  }

  /**
   * Shifts `input` by `ratio` (2 = an octave up) into `output` (the same length; they may be
   * the same array). Takes samples of one channel; channels need one shifter each.
   */
  process(input: Float32Array, output: Float32Array, ratio: number): void {
    if (!(ratio >= minPitchRatio && ratio <= maxPitchRatio)) {
      throw new RangeError(
        `Pitch ratio must be in ${minPitchRatio}..${maxPitchRatio}; got ${ratio}`,
      );
    }
    if (output.length !== input.length) {
      throw new RangeError(`Output of ${output.length} samples for ${input.length} in`);
    }
    const kept = this.fftSize - this.hopSize; // input samples kept from the last window
    for (let i = 0; i < input.length; i++) {
      this.#input[this.#rover] = input[i] as number;
      output[i] = this.#output[this.#rover - kept] as number;
      this.#rover++;
      if (this.#rover >= this.fftSize) {
        this.#rover = kept;
        this.#shiftFrame(ratio);
      }
    }
  }

  /** One hop: analysis of the last fftSize samples, bins moved by `ratio`, overlap-add. */
  #shiftFrame(ratio: number): void {
    const n = this.fftSize;
    const hop = this.hopSize;
    const bins = n / 2 + 1;
    const re = this.#re;
    const im = this.#im;
    const window = this.#window;
    /** Phase a bin's centre frequency advances in one hop. */
    const expected = (2 * Math.PI * hop) / n;
    for (let i = 0; i < n; i++) {
      re[i] = (this.#input[i] as number) * (window[i] as number);
      im[i] = 0;
    }
    this.#fft.forward(re, im);
    for (let k = 0; k < bins; k++) {
      const r = re[k] as number;
      const m = im[k] as number;
      this.#analysisRe[k] = r;
      this.#analysisIm[k] = m;
      const phase = Math.atan2(m, r);
      let advance = phase - (this.#lastPhase[k] as number) - k * expected;
      this.#lastPhase[k] = phase;
      advance -= 2 * Math.PI * Math.round(advance / (2 * Math.PI)); // wrapped to −π..π
      this.#magnitude[k] = Math.sqrt(r * r + m * m);
      // The bin's true frequency, in bins: its centre plus the phase deviation per hop.
      this.#frequency[k] = k + (advance * overlap) / (2 * Math.PI);
    }
    // Peaks and their regions (bins nearer to one peak than to the next).
    const magnitude = this.#magnitude;
    const peaks = this.#peaks;
    let peakCount = 0;
    let loudest = 0;
    for (let k = 0; k < bins; k++) loudest = Math.max(loudest, magnitude[k] as number);
    const floor = loudest * 1e-5;
    for (let k = 1; k < bins - 1; k++) {
      const m = magnitude[k] as number;
      if (m > floor && m > (magnitude[k - 1] as number) && m >= (magnitude[k + 1] as number)) {
        peaks[peakCount++] = k;
      }
    }
    re.fill(0);
    im.fill(0);
    const phaseSum = this.#phaseSum;
    const nextPhaseSum = this.#outFrequency.fill(0); // reused: the synthesis phase at each peak
    for (let p = 0; p < peakCount; p++) {
      const peak = peaks[p] as number;
      const from = p === 0 ? 0 : Math.ceil(((peaks[p - 1] as number) + peak) / 2);
      const to =
        p === peakCount - 1 ? bins - 1 : Math.ceil((peak + (peaks[p + 1] as number)) / 2) - 1;
      const frequency = (this.#frequency[peak] as number) * ratio;
      const shift = Math.round(peak * ratio) - peak;
      const target = peak + shift;
      if (target >= bins) break;
      // The peak's synthesis phase advances by its new frequency; its region turns with it. At
      // ratio 1 it keeps the analysis phase: the output is then the input, delayed.
      const phase =
        ratio === 1
          ? (this.#lastPhase[peak] as number)
          : (phaseSum[target] as number) + (2 * Math.PI * hop * frequency) / n;
      nextPhaseSum[target] = phase - 2 * Math.PI * Math.round(phase / (2 * Math.PI));
      const turn = phase - (this.#lastPhase[peak] as number);
      const cos = Math.cos(turn);
      const sin = Math.sin(turn);
      for (let k = from; k <= to; k++) {
        const j = k + shift;
        if (j < 0 || j >= bins) continue;
        const r = this.#analysisRe[k] as number;
        const m = this.#analysisIm[k] as number;
        re[j] = (re[j] as number) + r * cos - m * sin;
        im[j] = (im[j] as number) + r * sin + m * cos;
      }
    }
    phaseSum.set(nextPhaseSum);
    // A real signal: the negative frequencies are the conjugates.
    im[0] = 0;
    im[n / 2] = 0;
    for (let k = 1; k < n / 2; k++) {
      re[n - k] = re[k] as number;
      im[n - k] = -(im[k] as number);
    }
    this.#fft.inverse(re, im);
    // Hann analysis × Hann synthesis at 4× overlap sums to 1.5: divide it out.
    const gain = 1 / 1.5;
    for (let i = 0; i < n; i++) {
      this.#accumulator[i] =
        (this.#accumulator[i] as number) + (re[i] as number) * (window[i] as number) * gain;
    }
    this.#output.set(this.#accumulator.subarray(0, hop));
    this.#accumulator.copyWithin(0, hop);
    this.#accumulator.fill(0, n - hop);
    this.#input.copyWithin(0, hop);
  }
}
