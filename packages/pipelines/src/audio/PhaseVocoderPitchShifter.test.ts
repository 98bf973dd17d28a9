import { describe, expect, it } from 'vitest';
import { medianF0Hz, rms, soundingSpanS } from './audioMeasures.ts';
import { PhaseVocoderPitchShifter, pitchShifterFftSize } from './PhaseVocoderPitchShifter.ts';

const rateHz = 48_000;

/** A voiced-like tone: `f0Hz` and its first 10 harmonics falling off as 1/h, from `fromS` to `toS`. */
function harmonicTone(f0Hz: number, seconds: number, fromS = 0, toS = seconds): Float32Array {
  const samples = new Float32Array(Math.round(rateHz * seconds));
  for (let i = Math.round(fromS * rateHz); i < Math.round(toS * rateHz); i++) {
    for (let h = 1; h <= 10; h++) {
      samples[i] =
        (samples[i] as number) + (0.3 / h) * Math.sin((2 * Math.PI * f0Hz * h * i) / rateHz + h);
    }
  }
  return samples;
}

/** Runs `input` through a shifter in 20 ms frames, as a stream would. */
function shift(input: Float32Array, semitones: number | ((frame: number) => number)): Float32Array {
  const shifter = new PhaseVocoderPitchShifter(pitchShifterFftSize(rateHz));
  const output = new Float32Array(input.length);
  for (let at = 0, frame = 0; at < input.length; at += 960, frame++) {
    const st = typeof semitones === 'number' ? semitones : semitones(frame);
    shifter.process(input.subarray(at, at + 960), output.subarray(at, at + 960), 2 ** (st / 12));
  }
  return output;
}

describe('PhaseVocoderPitchShifter', () => {
  it('uses a 2048-point FFT at 48 kHz and delays by it (42.7 ms)', () => {
    expect(pitchShifterFftSize(48_000)).toBe(2048);
    expect(pitchShifterFftSize(16_000)).toBe(512);
    const shifter = new PhaseVocoderPitchShifter(2048);
    expect(shifter.latencySamples).toBe(2048);
    expect(shifter.hopSize).toBe(512);
  });

  it.each([4, -5, 7, 12, -12])(
    'moves the fundamental of a harmonic tone by %i semitones',
    (semitones) => {
      const input = harmonicTone(150, 1.5);
      const output = shift(input, semitones);
      const steady = output.subarray(rateHz / 2); // past the start-up
      const expected = 150 * 2 ** (semitones / 12);
      const measured = medianF0Hz(steady, rateHz, { minHz: 50, maxHz: 600 });
      expect(measured).toBeDefined();
      expect(Math.abs((measured as number) / expected - 1)).toBeLessThan(0.01);
      // The level stays within 1 dB.
      const ratioDb = 20 * Math.log10(rms(steady) / rms(input.subarray(rateHz / 2)));
      expect(Math.abs(ratioDb)).toBeLessThan(1);
    },
  );

  it('keeps duration: a tone burst sounds as long, delayed by the latency', () => {
    const input = harmonicTone(180, 2, 0.3, 1.3);
    const output = shift(input, 5);
    expect(output.length).toBe(input.length);
    const [inStart, inEnd] = soundingSpanS(input, rateHz);
    const [outStart, outEnd] = soundingSpanS(output, rateHz);
    const latencyS = 2048 / rateHz;
    expect(Math.abs(outStart - (inStart + latencyS))).toBeLessThanOrEqual(0.03);
    expect(Math.abs(outEnd - (inEnd + latencyS))).toBeLessThanOrEqual(0.03);
    expect(Math.abs(outEnd - outStart - (inEnd - inStart))).toBeLessThanOrEqual(0.04);
  });

  it('at 0 semitones returns the input, delayed by the latency', () => {
    const input = harmonicTone(200, 0.5);
    const output = shift(input, 0);
    for (let i = 2048; i < input.length; i += 7) {
      expect(output[i]).toBeCloseTo(input[i - 2048] as number, 5);
    }
  });

  it('follows a ratio changed between frames', () => {
    const input = harmonicTone(150, 2);
    const output = shift(input, (frame) => (frame < 50 ? 0 : 12));
    const before = medianF0Hz(output.subarray(rateHz / 4, rateHz * 0.9), rateHz);
    const after = medianF0Hz(output.subarray(rateHz * 1.3), rateHz, { maxHz: 600 });
    expect(before).toBeCloseTo(150, 0);
    expect(Math.abs((after as number) / 300 - 1)).toBeLessThan(0.01);
  });

  it('refuses ratios beyond two octaves and mismatched buffers', () => {
    const shifter = new PhaseVocoderPitchShifter(2048);
    const buffer = new Float32Array(480);
    expect(() => shifter.process(buffer, buffer, 5)).toThrow(
      'Pitch ratio must be in 0.25..4; got 5',
    );
    expect(() => shifter.process(buffer, new Float32Array(10), 1)).toThrow('Output of 10 samples');
  });
});
