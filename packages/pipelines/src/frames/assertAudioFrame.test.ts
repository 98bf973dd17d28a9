import { describe, expect, it } from 'vitest';
import { InvalidFrameError } from '../pipeline/errors.ts';
import type { AudioFrame } from './AudioFrame.ts';
import { audioFrameDurationUs, audioSamplesPerChannel } from './AudioFrame.ts';
import { assertAudioFrame } from './assertAudioFrame.ts';
import { audioFrameInFormat, audioFrameToF32 } from './convertAudioFrame.ts';

const frame = (fields: Partial<Record<keyof AudioFrame, unknown>> = {}): AudioFrame =>
  ({
    sampleRateHz: 48_000,
    channels: 2,
    format: 'f32',
    data: new Float32Array(960 * 2),
    timestampUs: 0,
    ...fields,
  }) as AudioFrame;

describe('assertAudioFrame', () => {
  it('takes 10 to 120 ms of f32 or s16 audio, mono or stereo', () => {
    expect(() => assertAudioFrame(frame())).not.toThrow();
    expect(() =>
      assertAudioFrame(frame({ channels: 1, data: new Float32Array(480) })),
    ).not.toThrow();
    expect(() =>
      assertAudioFrame(frame({ format: 's16', data: new Int16Array(5760 * 2) })),
    ).not.toThrow();
    expect(() =>
      assertAudioFrame(frame({ sampleRateHz: 16_000, channels: 1, data: new Float32Array(320) })),
    ).not.toThrow();
    expect(audioSamplesPerChannel(frame())).toBe(960);
    expect(audioFrameDurationUs(frame())).toBe(20_000);
  });

  it.each([
    [{ format: 'u8' }, 'Unsupported audio sample format "u8"'],
    [{ data: new Int16Array(1920) }, 'f32 audio frame needs its data in a Float32Array'],
    [{ format: 's16' }, 's16 audio frame needs its data in an Int16Array'],
    [{ sampleRateHz: 44_099 }, 'Invalid audio sampleRateHz 44099'],
    [{ sampleRateHz: 4_000 }, 'Invalid audio sampleRateHz 4000'],
    [{ channels: 0 }, 'Invalid audio channels 0'],
    [{ channels: 9 }, 'Invalid audio channels 9'],
    [{ channels: 1.5 }, 'Invalid audio channels 1.5'],
    [{ timestampUs: Number.NaN }, 'Invalid audio timestampUs NaN'],
    [{ data: new Float32Array(1919) }, 'not a whole number of 10 ms'],
    [{ data: new Float32Array(2 * 120) }, 'not a whole number of 10 ms'],
    [{ data: new Float32Array(0) }, 'not a whole number of 10 ms'],
    [{ data: new Float32Array(2 * 6240) }, 'longer than 120 ms'],
    [{ data: new Float32Array(1920).fill(Number.NaN) }, 'Audio sample 0 is NaN'],
  ])('refuses %o: %s', (fields, message) => {
    const check = () => assertAudioFrame(frame(fields));
    expect(check).toThrow(InvalidFrameError);
    expect(check).toThrow(message);
  });

  it('names the limit it broke', () => {
    try {
      assertAudioFrame(frame({ data: new Float32Array(1000) }));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'invalid_frame',
        details: expect.stringContaining('multiple of 480 samples (10 ms)'),
      });
    }
  });
});

describe('audio sample formats', () => {
  it('converts s16 to f32 and back to the same samples, saturating out-of-range floats', () => {
    const data = Int16Array.of(-32_768, -1, 0, 1, 12_345, 32_767);
    const s16: AudioFrame = {
      sampleRateHz: 48_000,
      channels: 1,
      format: 's16',
      data,
      timestampUs: 7,
    };
    const f32 = audioFrameToF32(s16);
    expect(f32.format).toBe('f32');
    expect(f32.data[0]).toBe(-1);
    expect(f32.timestampUs).toBe(7);
    expect(Array.from(audioFrameInFormat(f32, 's16').data)).toEqual(Array.from(data));
    expect(audioFrameToF32(f32)).toBe(f32);
    const loud = { ...f32, data: Float32Array.of(1.5, -1.5, 0.5) };
    expect(Array.from(audioFrameInFormat(loud, 's16').data)).toEqual([32_767, -32_768, 16_384]);
  });
});
