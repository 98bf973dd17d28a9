import type { AudioNodeDefinition } from '../audio/AudioNodeTypes.ts';
import { deinterleave, interleave } from '../audio/audioChannels.ts';
import {
  PhaseVocoderPitchShifter,
  pitchShifterFftSize,
} from '../audio/PhaseVocoderPitchShifter.ts';

/** Semitones → frequency ratio (12 semitones = an octave = ×2). */
export const semitonesToRatio = (semitones: number): number => 2 ** (semitones / 12);

/**
 * ComfyStream's `PitchShifter`: moves the pitch by `pitch_shift` semitones and keeps the duration
 * (a phase vocoder, `PhaseVocoderPitchShifter`, one per channel). ComfyStream's range is 0..12
 * (up only); this one also goes down to −12, so every ComfyStream workflow still validates.
 * Formants move with the pitch (as in ComfyStream, whose node calls librosa's phase-vocoder
 * `pitch_shift`). `pitch_shift` is live; the output lags by the FFT size (42.7 ms at 48 kHz).
 * At 0 semitones the audio passes as it came, with no delay, and the shifters start afresh when
 * it moves off 0: a voice effect left off costs no lag. The latency it reports follows (the
 * session stamps its output with it, so the gateway keeps the sound in sync either way: turning
 * the shift on drops the 42.7 ms heard twice, turning it off leaves a gap receivers conceal).
 */
export const pitchShifterNode: AudioNodeDefinition = {
  classType: 'PitchShifter',
  kind: 'audio',
  description: 'Shifts the pitch by semitones, keeping the duration (phase vocoder).',
  inputs: {
    audio: { type: 'AUDIO', description: 'The audio to shift.' },
    pitch_shift: {
      type: 'FLOAT',
      default: 4,
      min: -12,
      max: 12,
      description: 'Semitones up (positive) or down (negative); 12 is an octave.',
    },
  },
  outputs: [{ name: 'AUDIO', type: 'AUDIO' }],
  async prepare() {
    let shifters: PhaseVocoderPitchShifter[] = [];
    let format = '';
    /** The last frame passed unshifted (0 semitones); undefined before the first frame. */
    let bypassed: boolean | undefined;
    return {
      process(inputs, literals) {
        const audio = inputs.audio;
        if (audio === undefined) throw new Error('PitchShifter needs its AUDIO input');
        const semitones = literals.pitch_shift as number;
        bypassed = semitones === 0;
        if (bypassed) {
          // Empty buffers for when the shift comes back on: nothing of the past is replayed.
          format = '';
          shifters = [];
          return [audio];
        }
        const streamFormat = `${audio.sampleRateHz}/${audio.channels}`;
        if (streamFormat !== format) {
          // A new stream format starts from empty buffers.
          format = streamFormat;
          const fftSize = pitchShifterFftSize(audio.sampleRateHz);
          shifters = Array.from(
            { length: audio.channels },
            () => new PhaseVocoderPitchShifter(fftSize),
          );
        }
        const ratio = semitonesToRatio(semitones);
        const channels = deinterleave(audio).map((samples, channel) => {
          const shifted = new Float32Array(samples.length);
          (shifters[channel] as PhaseVocoderPitchShifter).process(samples, shifted, ratio);
          return shifted;
        });
        return [interleave(channels, audio)];
      },
      latencySamples: (sampleRateHz) => (bypassed ? 0 : pitchShifterFftSize(sampleRateHz)),
      close() {
        shifters = [];
      },
    };
  },
};
