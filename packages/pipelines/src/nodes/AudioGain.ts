import type { AudioNodeDefinition } from '../audio/AudioNodeTypes.ts';

/** dB → amplitude factor (20 dB = ×10, −6.02 dB ≈ ×0.5). */
export const dbToGain = (db: number): number => 10 ** (db / 20);

/**
 * Multiplies every sample by the gain `gain_db` sets, then clips to full scale (−1..1). A change
 * of gain ramps linearly across the next frame (no click). No delay.
 */
export const audioGainNode: AudioNodeDefinition = {
  classType: 'AudioGain',
  kind: 'audio',
  description: 'Amplifies or attenuates by a gain in dB (clipped to full scale).',
  inputs: {
    audio: { type: 'AUDIO', description: 'The audio to scale.' },
    gain_db: {
      type: 'FLOAT',
      default: 0,
      min: -60,
      max: 24,
      description: 'Gain in dB: 0 unchanged, +6 about twice the amplitude, −60 near silence.',
    },
  },
  outputs: [{ name: 'AUDIO', type: 'AUDIO' }],
  async prepare() {
    let previous: number | undefined;
    return {
      process(inputs, literals) {
        const audio = inputs.audio;
        if (audio === undefined) throw new Error('AudioGain needs its AUDIO input');
        const target = dbToGain(literals.gain_db as number);
        const start = previous ?? target;
        previous = target;
        const { data, channels } = audio;
        const out = new Float32Array(data.length);
        const frames = data.length / channels;
        for (let i = 0; i < frames; i++) {
          const gain = start + ((target - start) * (i + 1)) / frames;
          for (let c = 0; c < channels; c++) {
            const value = (data[i * channels + c] as number) * gain;
            out[i * channels + c] = Math.min(1, Math.max(-1, value));
          }
        }
        return [{ ...audio, data: out }];
      },
      latencySamples: () => 0,
      close() {},
    };
  },
};
