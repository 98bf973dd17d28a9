import { InvalidFrameError } from '../pipeline/errors.ts';
import {
  type AudioFrame,
  maxAudioChannels,
  maxAudioFrameMs,
  samplesPer10Ms,
} from './AudioFrame.ts';

/** Lowest and highest sample rates pipelines take, Hz. */
export const minAudioSampleRateHz = 8_000;
export const maxAudioSampleRateHz = 192_000;

/**
 * Throws `InvalidFrameError` naming the field and its limit unless `frame` is a well-formed audio
 * frame: format `f32` with a `Float32Array` or `s16` with an `Int16Array`; an integer sample rate
 * in 8 000..192 000 Hz that is a multiple of 100 (so that 10 ms is a whole number of samples);
 * 1..{@link maxAudioChannels} channels; a whole number of 10 ms per channel, 10..120 ms; a finite
 * timestamp; and, for `f32`, no NaN or infinite sample.
 */
export function assertAudioFrame(frame: AudioFrame): void {
  if (typeof frame !== 'object' || frame === null) {
    throw new InvalidFrameError('An audio frame must be an object', { details: String(frame) });
  }
  const { format, data, sampleRateHz, channels, timestampUs } = frame;
  if (format === 'f32') {
    if (!(data instanceof Float32Array)) {
      throw new InvalidFrameError('An f32 audio frame needs its data in a Float32Array');
    }
  } else if (format === 's16') {
    if (!(data instanceof Int16Array)) {
      throw new InvalidFrameError('An s16 audio frame needs its data in an Int16Array');
    }
  } else {
    throw new InvalidFrameError(`Unsupported audio sample format "${String(format)}"`, {
      details: 'format must be "f32" or "s16"',
    });
  }
  if (
    !Number.isInteger(sampleRateHz) ||
    sampleRateHz < minAudioSampleRateHz ||
    sampleRateHz > maxAudioSampleRateHz ||
    sampleRateHz % 100 !== 0
  ) {
    throw new InvalidFrameError(`Invalid audio sampleRateHz ${sampleRateHz}`, {
      details: `sampleRateHz must be an integer in ${minAudioSampleRateHz}..${maxAudioSampleRateHz} and a multiple of 100`,
    });
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > maxAudioChannels) {
    throw new InvalidFrameError(`Invalid audio channels ${channels}`, {
      details: `channels must be an integer in 1..${maxAudioChannels}`,
    });
  }
  if (typeof timestampUs !== 'number' || !Number.isFinite(timestampUs)) {
    throw new InvalidFrameError(`Invalid audio timestampUs ${String(timestampUs)}`, {
      details: 'timestampUs must be a finite number',
    });
  }
  const quantum = samplesPer10Ms(sampleRateHz);
  const most = (quantum * maxAudioFrameMs) / 10;
  const perChannel = data.length / channels;
  if (!Number.isInteger(perChannel) || perChannel % quantum !== 0 || perChannel < quantum) {
    throw new InvalidFrameError(
      `Audio frame of ${data.length} samples is not a whole number of 10 ms of ${channels} channel(s) at ${sampleRateHz} Hz`,
      {
        details: `data.length must be channels × a multiple of ${quantum} samples (10 ms), at most ${most} (${maxAudioFrameMs} ms)`,
      },
    );
  }
  if (perChannel > most) {
    throw new InvalidFrameError(
      `Audio frame of ${perChannel} samples per channel is longer than ${maxAudioFrameMs} ms`,
      { details: `at most ${most} samples per channel at ${sampleRateHz} Hz` },
    );
  }
  if (format === 'f32') {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new InvalidFrameError(`Audio sample ${i} is ${data[i]}`, {
          details: 'f32 samples must be finite numbers',
        });
      }
    }
  }
}
