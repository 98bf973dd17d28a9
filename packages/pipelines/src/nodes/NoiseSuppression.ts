import type { AudioNodeDefinition } from '../audio/AudioNodeTypes.ts';
import { deinterleave, interleave } from '../audio/audioChannels.ts';
import {
  RnnoiseDenoiser,
  rnnoiseFrameSamples,
  rnnoiseLatencySamples,
  rnnoiseSampleRateHz,
} from '../audio/RnnoiseDenoiser.ts';

/** How long the voice gate stays open after the last frame with voice: 20 × 10 ms. */
const gateHoldFrames = 20;

/** One channel's state: its RNNoise, and its input delayed as much as RNNoise delays (the dry mix). */
type Channel = {
  readonly denoiser: RnnoiseDenoiser;
  readonly delay: Float32Array;
  delayAt: number;
};

/**
 * Noise suppression with RNNoise (a recurrent network, `RnnoiseDenoiser`), one state per channel,
 * on 48 kHz audio. `strength` mixes the denoised signal with the original delayed to match
 * (1: denoised only, 0: original); `vad_threshold` > 0 also mutes the audio (10 ms ramps) once
 * RNNoise's voice probability has stayed under it for 200 ms; `enabled` false passes the original
 * and runs no network. All are live; a change of mix ramps across 10 ms (no click). The output
 * lags by RNNoise's 20 ms, except once nothing is denoised or gated (`enabled` false, or strength
 * and threshold 0, and the ramps done): then the audio passes as it came, with no delay, and the
 * latency it reports follows (the session stamps its output with it, so the gateway keeps the
 * sound in sync either way: turning it on drops the 20 ms heard twice, off leaves a gap).
 */
export const noiseSuppressionNode: AudioNodeDefinition = {
  classType: 'NoiseSuppression',
  kind: 'audio',
  description: 'Removes background noise from voice (RNNoise, 48 kHz).',
  sampleRatesHz: [rnnoiseSampleRateHz],
  inputs: {
    audio: { type: 'AUDIO', description: 'The audio to denoise (48 kHz).' },
    strength: {
      type: 'FLOAT',
      default: 1,
      min: 0,
      max: 1,
      optional: true,
      description: '1: the denoised audio only; 0: the original; between: a mix.',
    },
    vad_threshold: {
      type: 'FLOAT',
      default: 0,
      min: 0,
      max: 1,
      optional: true,
      description: 'Mute when the voice probability stays under this (0: never mute).',
    },
    enabled: {
      type: 'BOOLEAN',
      default: true,
      optional: true,
      description: 'false: the original audio, no network run, no gate, no delay.',
    },
  },
  outputs: [{ name: 'AUDIO', type: 'AUDIO' }],
  async prepare() {
    let channels: Channel[] = [];
    let gateGain = 1;
    let holdFrames = gateHoldFrames;
    /** The denoised share of the output at the end of the last block (ramps to the target). */
    let mix: number | undefined;
    /** The last frame passed as it came (nothing denoised or gated): no delay. */
    let bypassed = false;
    const open = async (count: number) => {
      for (const channel of channels) channel.denoiser.destroy();
      channels = [];
      for (let i = 0; i < count; i++) {
        channels.push({
          denoiser: await RnnoiseDenoiser.create(),
          delay: new Float32Array(rnnoiseLatencySamples),
          delayAt: 0,
        });
      }
    };
    await open(1); // loads (and verifies) the module now, not on the first frame
    return {
      async process(inputs, literals) {
        const audio = inputs.audio;
        if (audio === undefined) throw new Error('NoiseSuppression needs its AUDIO input');
        if (audio.channels !== channels.length) await open(audio.channels);
        const enabled = literals.enabled !== false;
        const strength = enabled ? (literals.strength as number) : 0;
        const threshold = enabled ? (literals.vad_threshold as number) : 0;
        const input = deinterleave(audio);
        bypassed = strength === 0 && threshold === 0 && (mix ?? 0) === 0 && gateGain === 1;
        if (bypassed) {
          // The delay lines keep the latest input, for the dry mix when it comes back on.
          for (const [c, channel] of channels.entries()) {
            for (const sample of input[c] as Float32Array) {
              channel.delay[channel.delayAt] = sample;
              channel.delayAt = (channel.delayAt + 1) % rnnoiseLatencySamples;
            }
          }
          mix = 0;
          return [audio];
        }
        const output = input.map((samples) => new Float32Array(samples.length));
        const blocks = (input[0] as Float32Array).length / rnnoiseFrameSamples;
        for (let block = 0; block < blocks; block++) {
          const from = block * rnnoiseFrameSamples;
          const to = from + rnnoiseFrameSamples;
          const start = mix ?? strength;
          mix = strength;
          // Nothing denoised and no gate: the delayed original only, RNNoise not run.
          const denoise = start > 0 || strength > 0 || threshold > 0;
          let voice = denoise ? 0 : 1;
          for (const [c, channel] of channels.entries()) {
            const wet = (output[c] as Float32Array).subarray(from, to);
            const dry = (input[c] as Float32Array).subarray(from, to);
            if (denoise) voice = Math.max(voice, channel.denoiser.processFrame(dry, wet));
            for (let i = 0; i < rnnoiseFrameSamples; i++) {
              const delayed = channel.delay[channel.delayAt] as number;
              channel.delay[channel.delayAt] = dry[i] as number;
              channel.delayAt = (channel.delayAt + 1) % rnnoiseLatencySamples;
              const share = start + ((strength - start) * (i + 1)) / rnnoiseFrameSamples;
              wet[i] = share * (wet[i] as number) + (1 - share) * delayed;
            }
          }
          // The voice gate: open while voice was heard within the last 200 ms.
          holdFrames = voice >= threshold ? gateHoldFrames : Math.max(0, holdFrames - 1);
          const target = holdFrames > 0 ? 1 : 0;
          const gateStart = gateGain;
          gateGain = target;
          if (gateStart === 1 && target === 1) continue;
          for (const samples of output) {
            for (let i = 0; i < rnnoiseFrameSamples; i++) {
              const gain = gateStart + ((target - gateStart) * (i + 1)) / rnnoiseFrameSamples;
              samples[from + i] = (samples[from + i] as number) * gain;
            }
          }
        }
        return [interleave(output, audio)];
      },
      latencySamples: () => (bypassed ? 0 : rnnoiseLatencySamples),
      close() {
        for (const channel of channels) channel.denoiser.destroy();
        channels = [];
      },
    };
  },
};
