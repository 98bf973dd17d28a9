/**
 * How samples are stored: `f32` (32-bit float, full scale −1..1) or `s16` (16-bit signed integer,
 * full scale −32768..32767). Pipelines compute in `f32` and answer in the format they were given.
 */
export type AudioSampleFormat = 's16' | 'f32';

type AudioFrameFields = {
  /** Samples per second per channel. WebRTC's Opus is always 48 000. */
  readonly sampleRateHz: number;
  /** 1 (mono) or 2 (stereo) for Opus in WebRTC; pipelines take 1..{@link maxAudioChannels}. */
  readonly channels: number;
  /** Capture time of the frame's first sample, microseconds on the producer's clock. */
  readonly timestampUs: number;
};

/** Float samples, −1..1 at full scale (what FFmpeg's Opus decoder gives, and what DSP wants). */
export type AudioFrameF32 = AudioFrameFields & {
  readonly format: 'f32';
  readonly data: Float32Array;
};

/** 16-bit samples (what libwebrtc's audio sinks and many capture APIs give). */
export type AudioFrameS16 = AudioFrameFields & {
  readonly format: 's16';
  readonly data: Int16Array;
};

/**
 * One frame of PCM audio: immutable data, samples **interleaved** by channel
 * (`L0 R0 L1 R1 …`), `data.length = samplesPerChannel × channels`. Take views with `subarray`,
 * never copies.
 *
 * Sizes: Opus in WebRTC runs at 48 kHz and decodes 10 ms or 20 ms packets. A 20 ms mono frame is
 * 960 samples (3 840 bytes as `f32`, 1 920 as `s16`); 10 ms is 480; stereo doubles both. Pipelines
 * take whole multiples of 10 ms (`sampleRateHz / 100` samples per channel) up to 120 ms (Opus's
 * longest packet); an engine whose decoder gives other sizes re-chunks first (an audio FIFO).
 */
export type AudioFrame = AudioFrameF32 | AudioFrameS16;

/** The sample rate of Opus in WebRTC (RFC 7587: the RTP clock is always 48 kHz). */
export const opusSampleRateHz = 48_000;

/** Most channels an audio pipeline takes. */
export const maxAudioChannels = 8;

/** Longest frame pipelines take, milliseconds (Opus's longest packet). */
export const maxAudioFrameMs = 120;

/** Samples per channel in `frame`. */
export function audioSamplesPerChannel(frame: AudioFrame): number {
  return frame.data.length / frame.channels;
}

/** Samples per channel in 10 ms at `sampleRateHz` (480 at 48 kHz): the pipelines' frame quantum. */
export function samplesPer10Ms(sampleRateHz: number): number {
  return sampleRateHz / 100;
}

/** How long `frame` lasts, microseconds. */
export function audioFrameDurationUs(frame: AudioFrame): number {
  return (audioSamplesPerChannel(frame) * 1_000_000) / frame.sampleRateHz;
}
