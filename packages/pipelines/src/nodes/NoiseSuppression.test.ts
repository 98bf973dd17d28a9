import { createLogger } from '@peerframe/core';
import { describe, expect, it } from 'vitest';
import { rms } from '../audio/audioMeasures.ts';
import { rnnoiseLatencySamples } from '../audio/RnnoiseDenoiser.ts';
import type { AudioFrameF32 } from '../frames/AudioFrame.ts';
import type { NodeLiterals } from '../workflow/WorkflowTypes.ts';
import { noiseSuppressionNode } from './NoiseSuppression.ts';

const frameSamples = 960; // 20 ms at 48 kHz

/** Deterministic white noise at `amplitude`. */
function noise(samples: number, amplitude: number): Float32Array {
  const data = new Float32Array(samples);
  let state = 3;
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    data[i] = (state / 2 ** 32 - 0.5) * 2 * amplitude;
  }
  return data;
}

describe('NoiseSuppression enabled', () => {
  it('off: the original exactly, with no delay, ungated; on again: denoised, 20 ms later', async () => {
    const node = await noiseSuppressionNode.prepare({
      nodeId: '1',
      literals: {},
      logger: createLogger('test', { level: 'silent' }),
    });
    try {
      const input = noise(frameSamples * 50, 0.1); // 1 s
      const run = async (literals: NodeLiterals, from: number, to: number) => {
        const out = new Float32Array((to - from) * frameSamples);
        for (let f = from; f < to; f++) {
          const audio: AudioFrameF32 = {
            sampleRateHz: 48_000,
            channels: 1,
            format: 'f32',
            data: input.slice(f * frameSamples, (f + 1) * frameSamples),
            timestampUs: f * 20_000,
          };
          const [result] = await node.process({ audio }, literals);
          out.set(result?.data ?? [], (f - from) * frameSamples);
        }
        return out;
      };
      // Off, with a voice gate that would close on noise: nothing is touched, nothing delayed.
      const off = await run({ enabled: false, strength: 1, vad_threshold: 0.9 }, 0, 25);
      for (let i = 0; i < off.length; i++) expect(off[i]).toBe(input[i]);
      expect(node.latencySamples(48_000)).toBe(0);
      const on = await run({ enabled: true, strength: 1, vad_threshold: 0 }, 25, 50);
      // Denoised, past the 10 ms ramp and RNNoise's settling (the last 200 ms).
      const tail = on.subarray(on.length - frameSamples * 10);
      const dryTail = input.subarray(
        input.length - frameSamples * 10 - rnnoiseLatencySamples,
        input.length - rnnoiseLatencySamples,
      );
      expect(20 * Math.log10(rms(tail) / rms(dryTail))).toBeLessThan(-15);
      expect(node.latencySamples(48_000)).toBe(rnnoiseLatencySamples);
    } finally {
      await node.close();
    }
  });
});
