import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPipelineParamsError } from '@peerframe/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { medianF0Hz, rms } from '../audio/audioMeasures.ts';
import type { AudioFrame, AudioFrameF32 } from '../frames/AudioFrame.ts';
import { i420ByteLength } from '../frames/Frame.ts';
import {
  loadPipelineDirectory,
  manifestPipelineDescriptor,
} from '../manifest/loadPipelineDirectory.ts';
import type { AudioPipeline } from '../pipeline/AudioPipeline.ts';
import { InvalidFrameError, PipelineClosedError, PipelineMediaError } from '../pipeline/errors.ts';
import { defaultPipelineRegistry, PipelineRegistry } from '../pipeline/PipelineRegistry.ts';

const rateHz = 48_000;
const open: AudioPipeline[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((pipeline) => pipeline.close()));
});

async function createAudio(name: string, params = {}): Promise<AudioPipeline> {
  const pipeline = await defaultPipelineRegistry().createAudio(name, params);
  open.push(pipeline);
  return pipeline;
}

/** Deterministic white noise at `amplitude`, `channels` interleaved. */
function noise(samples: number, amplitude: number, seed = 1): Float32Array {
  const data = new Float32Array(samples);
  let state = seed;
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    data[i] = (state / 2 ** 32 - 0.5) * 2 * amplitude;
  }
  return data;
}

function frame(data: Float32Array, index = 0, channels = 1): AudioFrameF32 {
  return { sampleRateHz: rateHz, channels, format: 'f32', data, timestampUs: index * 20_000 };
}

/** Splits `signal` into 20 ms frames, runs them in order, joins the output. */
async function stream(pipeline: AudioPipeline, signal: Float32Array): Promise<Float32Array> {
  const out = new Float32Array(signal.length);
  for (let at = 0, i = 0; at < signal.length; at += 960, i++) {
    const result = await pipeline.process(frame(signal.slice(at, at + 960), i));
    out.set(result.data as Float32Array, at);
  }
  return out;
}

describe('audio pipelines in the registry', () => {
  it('are listed with their media; asking one for the other medium is refused clearly', async () => {
    const registry = defaultPipelineRegistry();
    const media = Object.fromEntries(registry.describe().map((d) => [d.name, d.media]));
    expect(media).toMatchObject({
      invert: ['video'],
      'noise-suppression': ['audio'],
      'voice-pitch': ['audio'],
      gain: ['audio'],
    });
    await expect(registry.create('gain')).rejects.toThrow(PipelineMediaError);
    await expect(registry.create('noise-suppression')).rejects.toMatchObject({
      code: 'pipeline_media_unsupported',
      message: 'The noise-suppression pipeline processes audio, not video',
    });
    await expect(registry.createAudio('invert')).rejects.toMatchObject({
      code: 'pipeline_media_unsupported',
      message: 'The invert pipeline processes video, not audio',
    });
    expect(registry.get('voice-pitch').paramsSchema.semitones).toMatchObject({
      type: 'number',
      default: 4,
      min: -12,
      max: 12,
    });
  });

  it('warm up like video ones (idle → ready), then are created with params', async () => {
    const registry = defaultPipelineRegistry();
    try {
      expect(registry.state('noise-suppression')).toBe('idle');
      await registry.warmup(['noise-suppression', 'gain']);
      expect(registry.state('noise-suppression')).toBe('ready');
      expect(registry.state('gain')).toBe('ready');
      const pipeline = await registry.createAudio('gain', { gainDb: -6 });
      open.push(pipeline);
      const out = await pipeline.process(frame(new Float32Array(960).fill(0.5)));
      expect(out.data[959]).toBeCloseTo(0.5 * 10 ** (-6 / 20), 6);
      // Two streams asking at once never share the warmed instance (each has its own state).
      await registry.warmup(['noise-suppression']);
      const both = await Promise.all([
        registry.createAudio('noise-suppression'),
        registry.createAudio('noise-suppression'),
      ]);
      open.push(...both);
      expect(both[0]).not.toBe(both[1]);
    } finally {
      await registry.close();
    }
  });

  it('report their delay: RNNoise 20 ms, the pitch shifter 42.7 ms, gain none', async () => {
    expect((await createAudio('noise-suppression')).latencyUs).toBe(20_000);
    expect((await createAudio('voice-pitch')).latencyUs).toBeCloseTo(42_666.67, 1);
    expect((await createAudio('gain')).latencyUs).toBe(0);
  });
});

describe('a pipeline with video and audio', () => {
  it('is one manifest whose workflow has both paths; each medium gets its part, params shared', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peerframe-av-'));
    try {
      await writeFile(
        join(dir, 'pipeline.json'),
        JSON.stringify({
          name: 'invert-and-quieter',
          version: '1.0.0',
          description: 'Inverts the video and lowers the audio.',
          workflow: 'workflow.json',
          params: {
            gainDb: {
              type: 'number',
              default: -6,
              min: -60,
              max: 0,
              description: 'Gain',
              bind: [['6', 'gain_db']],
            },
          },
        }),
      );
      await writeFile(
        join(dir, 'workflow.json'),
        JSON.stringify({
          '1': { class_type: 'SaveTensor', inputs: { images: ['5', 0] } },
          '2': { class_type: 'LoadTensor', inputs: {} },
          '3': { class_type: 'LoadAudioTensor', inputs: { buffer_size: 500 } },
          '4': { class_type: 'SaveAudioTensor', inputs: { audio: ['6', 0] } },
          '5': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
          '6': { class_type: 'AudioGain', inputs: { audio: ['3', 0], gain_db: -6 } },
        }),
      );
      const descriptor = manifestPipelineDescriptor(await loadPipelineDirectory(dir));
      const registry = new PipelineRegistry().register(descriptor);
      try {
        expect(registry.describe()[0]).toMatchObject({
          version: '1.0.0',
          models: [],
          media: ['video', 'audio'],
        });
        await registry.warmup();
        expect(registry.state('invert-and-quieter')).toBe('ready');
        const video = await registry.create('invert-and-quieter', { gainDb: -20 });
        const audio = await registry.createAudio('invert-and-quieter', { gainDb: -20 });
        try {
          const data = new Uint8Array(i420ByteLength(2, 2)).fill(128);
          data.fill(16, 0, 4);
          const inverted = await video.process({
            widthPx: 2,
            heightPx: 2,
            format: 'i420',
            data,
            timestampUs: 0,
          });
          expect(inverted.data[0]).toBe(235);
          const quieter = await audio.process(frame(new Float32Array(960).fill(0.5)));
          expect(quieter.data[0]).toBeCloseTo(0.05, 6);
        } finally {
          await video.close();
          await audio.close();
        }
      } finally {
        await registry.close();
      }
      // Installed and then uninstalled while warm: both warmed instances are closed.
      const warmed: { readonly state: string }[] = [];
      const kept = async <P extends { readonly state: string }>(made: Promise<P> | undefined) => {
        if (made === undefined) throw new Error('the descriptor has no audio part');
        const pipeline = await made;
        warmed.push(pipeline);
        return pipeline;
      };
      const installed = new PipelineRegistry().register(
        {
          ...descriptor,
          create: (params, hooks) => kept(descriptor.create(params, hooks)),
          createAudio: (params, hooks) => kept(descriptor.createAudio?.(params, hooks)),
        },
        { warm: true },
      );
      try {
        await expect.poll(() => warmed.length, { timeout: 30_000 }).toBe(2);
        await installed.unregister('invert-and-quieter');
        expect(installed.has('invert-and-quieter')).toBe(false);
        expect(warmed.map((pipeline) => pipeline.state)).toEqual(['closed', 'closed']);
      } finally {
        await installed.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the README example', () => {
  it('prints what the README says', async () => {
    const registry = defaultPipelineRegistry();
    const gain = await registry.createAudio('gain', { gainDb: -6 });
    const input: AudioFrame = {
      sampleRateHz: 48_000,
      channels: 1,
      format: 's16',
      data: new Int16Array(960).fill(10_000),
      timestampUs: 0,
    };
    const out = await gain.process(input);
    expect(out.data[959]).toBe(5012);
    await expect(gain.update({ gainDb: 30 })).rejects.toThrow(
      'The gain param gainDb must be a number in -60..24; got 30',
    );
    await gain.close();
    await expect(registry.create('noise-suppression')).rejects.toThrow(
      'The noise-suppression pipeline processes audio, not video',
    );
  });
});

describe('gain', () => {
  it('scales the RMS by the gain, ramps a live change over one frame, clips at full scale', async () => {
    const pipeline = await createAudio('gain', { gainDb: 6 });
    const input = noise(960, 0.1);
    const inRms = rms(input);
    const first = await pipeline.process(frame(input));
    expect(rms(first.data as Float32Array) / inRms).toBeCloseTo(10 ** (6 / 20), 4);
    await pipeline.update({ gainDb: -12 });
    const ramp = rms((await pipeline.process(frame(input, 1))).data as Float32Array) / inRms;
    expect(ramp).toBeLessThan(10 ** (6 / 20));
    expect(ramp).toBeGreaterThan(10 ** (-12 / 20));
    const settled = await pipeline.process(frame(input, 2));
    expect(rms(settled.data as Float32Array) / inRms).toBeCloseTo(10 ** (-12 / 20), 4);
    await pipeline.update({ gainDb: 24 });
    await pipeline.process(frame(input, 3));
    const loud = await pipeline.process(frame(noise(960, 0.9), 4));
    expect(Math.max(...(loud.data as Float32Array).map(Math.abs))).toBe(1);
  });

  it('answers s16 with s16, stereo with stereo, and keeps the timestamp', async () => {
    const pipeline = await createAudio('gain', { gainDb: -6.0206 });
    const data = new Int16Array(960 * 2).map((_, i) => (i % 2 === 0 ? 10_000 : -20_000));
    const input: AudioFrame = {
      sampleRateHz: 16_000,
      channels: 2,
      format: 's16',
      data: data.subarray(0, 320 * 2),
      timestampUs: 123,
    };
    const out = await pipeline.process(input);
    expect(out.format).toBe('s16');
    expect(out.channels).toBe(2);
    expect(out.timestampUs).toBe(123);
    expect(out.data[2]).toBe(5_000);
    expect(out.data[3]).toBe(-10_000);
  });

  it('refuses bad params (keeping the good ones) and malformed frames', async () => {
    await expect(defaultPipelineRegistry().createAudio('gain', { gainDb: 30 })).rejects.toThrow(
      'The gain param gainDb must be a number in -60..24; got 30',
    );
    const pipeline = await createAudio('gain', { gainDb: 0 });
    await expect(pipeline.update({ gain: 3 })).rejects.toThrow(InvalidPipelineParamsError);
    await expect(pipeline.update({ gainDb: '3' })).rejects.toThrow('got "3"');
    const input = noise(960, 0.2);
    expect(Array.from((await pipeline.process(frame(input))).data)).toEqual(Array.from(input));
    await expect(pipeline.process(frame(new Float32Array(1000)))).rejects.toThrow(
      InvalidFrameError,
    );
    await expect(pipeline.process({ ...frame(input), sampleRateHz: 44_099 })).rejects.toThrow(
      'Invalid audio sampleRateHz 44099',
    );
    await pipeline.close();
    await pipeline.close();
    await expect(pipeline.process(frame(input))).rejects.toThrow(PipelineClosedError);
  });
});

describe('noise-suppression', () => {
  it('takes 48 kHz audio only, saying so', async () => {
    const pipeline = await createAudio('noise-suppression');
    await expect(
      pipeline.process({ ...frame(new Float32Array(320)), sampleRateHz: 16_000 }),
    ).rejects.toThrow('The noise-suppression pipeline takes 48000 Hz audio; got 16000 Hz');
  });

  it('removes steady noise; strength 0 gives the input back, with no delay; live', async () => {
    const pipeline = await createAudio('noise-suppression');
    const input = noise(rateHz * 2, 0.05);
    const denoised = await stream(pipeline, input);
    const tail = (signal: Float32Array) => rms(signal.subarray(rateHz));
    // RNNoise leaves far less than a tenth of stationary white noise (20 dB down).
    expect(tail(denoised) / tail(input)).toBeLessThan(0.1);
    await pipeline.update({ strength: 0 });
    const next = noise(960 * 5, 0.05, 7);
    const dry: Float32Array[] = [];
    for (let i = 0; i < 5; i++) {
      dry.push(
        (await pipeline.process(frame(next.slice(i * 960, (i + 1) * 960), 100 + i)))
          .data as Float32Array,
      );
    }
    // The first frame ramps the mix down; from the second on, the output is the input as it came.
    for (let i = 1; i < 5; i++) {
      expect(Array.from(dry[i] as Float32Array)).toEqual(
        Array.from(next.subarray(i * 960, (i + 1) * 960)),
      );
    }
    expect(pipeline.latencyUs).toBe(0);
  });

  it('with a voice threshold, mutes what holds no voice once 200 ms passed without', async () => {
    // strength 0: the original (delayed 20 ms), so that only the gate changes it.
    const pipeline = await createAudio('noise-suppression', { vadThreshold: 0.9, strength: 0 });
    const out = await stream(pipeline, noise(rateHz, 0.2));
    const ms = (from: number, to: number) =>
      out.subarray((rateHz * from) / 1000, (rateHz * to) / 1000);
    expect(rms(ms(30, 180))).toBeGreaterThan(0.1); // still open (the noise is 0.115 RMS)
    expect(rms(ms(220, 1000))).toBe(0); // closed after 20 frames of 10 ms without voice, and a ramp
  });

  it('denoises each channel of a stereo stream with its own state', async () => {
    const pipeline = await createAudio('noise-suppression');
    const left = noise(rateHz, 0.05);
    const data = new Float32Array(rateHz * 2);
    for (let i = 0; i < rateHz; i++) data[i * 2] = left[i] as number; // right stays silent
    const out = new Float32Array(data.length);
    for (let at = 0, i = 0; at < data.length; at += 1920, i++) {
      out.set(
        (await pipeline.process(frame(data.slice(at, at + 1920), i, 2))).data as Float32Array,
        at,
      );
    }
    const channel = (c: number) =>
      Float32Array.from({ length: rateHz / 2 }, (_, i) => out[(rateHz / 2 + i) * 2 + c] as number);
    expect(rms(channel(0))).toBeLessThan(rms(left) / 10);
    expect(rms(channel(1))).toBeLessThan(1e-4);
  });
});

describe('voice-pitch', () => {
  it('starts afresh when the stream changes rate or channels', async () => {
    const pipeline = await createAudio('voice-pitch');
    await pipeline.process(frame(noise(960, 0.1)));
    const stereo = await pipeline.process(frame(noise(1920, 0.1), 1, 2));
    expect(stereo.data.length).toBe(1920);
    const slow = await pipeline.process({ ...frame(noise(160, 0.1), 2), sampleRateHz: 16_000 });
    expect(slow.data.length).toBe(160);
    // At 16 kHz the FFT is 512 samples: the delay is 32 ms.
    expect(pipeline.latencyUs).toBe(32_000);
  });

  it('moves a voice-like tone by the semitones asked, live, without losing the stream', async () => {
    const pipeline = await createAudio('voice-pitch', { semitones: 0 });
    const tone = new Float32Array(rateHz * 3);
    for (let i = 0; i < tone.length; i++) {
      for (let h = 1; h <= 8; h++)
        tone[i] = (tone[i] as number) + (0.25 / h) * Math.sin((2 * Math.PI * 140 * h * i) / rateHz);
    }
    const out = new Float32Array(tone.length);
    for (let at = 0, i = 0; at < tone.length; at += 960, i++) {
      if (i === 75) {
        expect(pipeline.latencyUs).toBe(0);
        await pipeline.update({ semitones: -7 });
      }
      out.set(
        (await pipeline.process(frame(tone.slice(at, at + 960), i))).data as Float32Array,
        at,
      );
    }
    // Before the update (0 semitones): the input as it came, with no delay; after, shifted by
    // way of the FFT, which delays it 2048 samples.
    for (let i = 0; i < rateHz; i += 11) expect(out[i]).toBe(tone[i]);
    expect(pipeline.latencyUs).toBeCloseTo(42_666.67, 1);
    const after = medianF0Hz(out.subarray(rateHz * 2), rateHz) as number;
    expect(Math.abs(after / (140 * 2 ** (-7 / 12)) - 1)).toBeLessThan(0.01);
    await expect(pipeline.update({ semitones: 13 })).rejects.toThrow(
      'The voice-pitch param semitones must be a number in -12..12; got 13',
    );
  });
});
