import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterAll, describe, expect, it } from 'vitest';
import type { AudioWorkflowPipeline } from '../audio/AudioWorkflowPipeline.ts';
import { medianF0Hz, rms } from '../audio/audioMeasures.ts';
import type { AudioFrameF32 } from '../frames/AudioFrame.ts';
import { i420ByteLength } from '../frames/Frame.ts';
import { shippedPipelineNames } from '../manifest/shippedPipelines.ts';
import type { AudioPipeline } from '../pipeline/AudioPipeline.ts';
import { defaultPipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';

const rateHz = 48_000;
const frameSamples = 960; // 20 ms, as Opus gives them
const registry = defaultPipelineRegistry({ keepWarm: false });
afterAll(() => registry.close());

/** The shipped video pipelines that carry the voice effects (all but the reference ones). */
const withVoiceEffects = ['background-blur', 'sketch', 'toon', 'color-grade', 'pixelate'];
const withVoiceEffectsToo = ['face-boxes', 'background-replace'];

/** `seconds` of a 220 Hz tone at `amplitude`, plus deterministic white noise at `noise`. */
function signal(seconds: number, amplitude: number, noise = 0): Float32Array {
  const data = new Float32Array(Math.round(seconds * rateHz));
  let state = 7;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const white = (state / 2 ** 32 - 0.5) * 2 * noise;
    data[i] = amplitude * Math.sin((2 * Math.PI * 220 * i) / rateHz) + white;
  }
  return data;
}

/** Runs `input` through in 20 ms frames, from frame index `first`; the output joined. */
async function run(pipeline: AudioPipeline, input: Float32Array, first = 0): Promise<Float32Array> {
  const out = new Float32Array(input.length);
  for (let at = 0, i = first; at < input.length; at += frameSamples, i++) {
    const frame: AudioFrameF32 = {
      sampleRateHz: rateHz,
      channels: 1,
      format: 'f32',
      data: input.slice(at, at + frameSamples),
      timestampUs: i * 20_000,
    };
    out.set((await pipeline.process(frame)).data as Float32Array, at);
  }
  return out;
}

const db = (ratio: number) => 20 * Math.log10(ratio);
/** RMS of the last half of `samples` (past every node's start-up and a ramp). */
const tailRms = (samples: Float32Array) => rms(samples.subarray(samples.length / 2));

describe('the voice effects of the shipped video pipelines', () => {
  it('every video pipeline but the reference ones processes audio too, with the same three params', () => {
    const described = new Map(registry.describe().map((d) => [d.name, d]));
    for (const name of shippedPipelineNames) {
      const pipeline = described.get(name);
      const effects = [...withVoiceEffects, ...withVoiceEffectsToo].includes(name);
      expect(pipeline?.media, name).toEqual(effects ? ['video', 'audio'] : ['video']);
      if (!effects) continue;
      expect(pipeline?.paramsSchema, name).toMatchObject({
        denoise: { type: 'boolean', default: false },
        pitchSemitones: { type: 'number', default: 0, min: -12, max: 12 },
        gainDb: { type: 'number', default: 0, min: -60, max: 24 },
      });
    }
  });

  it('leaves the sound as it is by default, and applies gain, pitch and noise suppression live', async () => {
    const audio = (await registry.createAudio('toon')) as AudioWorkflowPipeline;
    try {
      // Defaults: the sound passes at its own level, with no delay (RNNoise off, the pitch
      // shifter at 0 semitones: both pass the audio as it came).
      const tone = signal(1, 0.3);
      const plain = await run(audio, tone);
      expect(Math.abs(db(tailRms(plain) / tailRms(tone)))).toBeLessThan(1);
      expect(audio.latencyUs).toBe(0);
      const nodes = audio.plan;

      await audio.update({ gainDb: -12 });
      const quieter = await run(audio, tone, 50);
      expect(db(tailRms(quieter) / tailRms(plain))).toBeCloseTo(-12, 0);

      await audio.update({ gainDb: 0, pitchSemitones: 12 });
      const octave = await run(audio, tone, 100);
      expect(medianF0Hz(octave.subarray(octave.length / 2), rateHz)).toBeGreaterThan(420);
      expect(medianF0Hz(octave.subarray(octave.length / 2), rateHz)).toBeLessThan(460);
      // The shift delays the sound by its FFT size, and says so (the session stamps it earlier).
      expect(audio.latencyUs).toBeCloseTo(42_666.67, 1);

      // Noise alone: RNNoise removes most of it once on; off again, it is back.
      await audio.update({ pitchSemitones: 0 });
      const noise = signal(1, 0, 0.1);
      const noisy = await run(audio, noise, 150);
      await audio.update({ denoise: true });
      const denoised = await run(audio, noise, 200);
      expect(db(tailRms(denoised) / tailRms(noisy))).toBeLessThan(-15);
      expect(audio.latencyUs).toBe(20_000);
      await audio.update({ denoise: false });
      const noisyAgain = await run(audio, noise, 250);
      expect(Math.abs(db(tailRms(noisyAgain) / tailRms(noisy)))).toBeLessThan(1);

      // Every toggle was applied on the same node instances (the stream's state kept); all off,
      // no delay again.
      expect(audio.plan.sharesNodesWith(nodes)).toBe(true);
      expect(audio.latencyUs).toBe(0);
      await expect(audio.update({ gainDb: 30 })).rejects.toThrow(InvalidPipelineParamsError);
      await expect(audio.update({ denoise: 'yes' })).rejects.toThrow(/denoise/);
    } finally {
      await audio.close();
    }
  });

  it('changes nothing in the video half: its plan keeps running, its output is the same', async () => {
    const video = (await registry.create('pixelate')) as WorkflowPipeline;
    try {
      const widthPx = 64;
      const heightPx = 64;
      const data = new Uint8Array(i420ByteLength(widthPx, heightPx)).fill(128);
      for (let i = 0; i < widthPx * heightPx; i++) data[i] = (i * 37) % 256;
      const frame = { widthPx, heightPx, format: 'i420' as const, data, timestampUs: 0 };
      const before = await video.process(frame);
      const plan = video.plan;
      await video.update({ denoise: true, gainDb: -30, pitchSemitones: -5 });
      expect(video.plan.sharesSessionsWith(plan)).toBe(true);
      expect((await video.process(frame)).data).toEqual(before.data);
    } finally {
      await video.close();
    }
  });
});
