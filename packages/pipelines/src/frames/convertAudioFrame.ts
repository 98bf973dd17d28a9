import type { AudioFrame, AudioFrameF32, AudioFrameS16, AudioSampleFormat } from './AudioFrame.ts';

/** Full scale of 16-bit samples: s16 `x` is f32 `x / 32768`. */
const s16Scale = 32_768;

/** `frame` as float samples: the same object when it is `f32`, else a converted copy (x / 32768). */
export function audioFrameToF32(frame: AudioFrame): AudioFrameF32 {
  if (frame.format === 'f32') return frame;
  const data = new Float32Array(frame.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (frame.data[i] as number) / s16Scale;
  return { ...frame, format: 'f32', data };
}

/**
 * A float frame in `format`: the same object for `f32`, else 16-bit samples (×32768, rounded,
 * saturated to −32768..32767). s16 → f32 → s16 gives back the same samples.
 */
export function audioFrameInFormat(frame: AudioFrameF32, format: AudioSampleFormat): AudioFrame {
  if (format === 'f32') return frame;
  const data = new Int16Array(frame.data.length);
  for (let i = 0; i < data.length; i++) {
    const value = Math.round((frame.data[i] as number) * s16Scale);
    data[i] = Math.min(32_767, Math.max(-32_768, value));
  }
  return { ...frame, format: 's16', data } satisfies AudioFrameS16;
}
