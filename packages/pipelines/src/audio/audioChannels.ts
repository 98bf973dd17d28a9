import type { AudioFrameF32 } from '../frames/AudioFrame.ts';

/** Each channel of an interleaved float frame as its own array (a view, not a copy, for mono). */
export function deinterleave(frame: AudioFrameF32): Float32Array[] {
  const { channels, data } = frame;
  if (channels === 1) return [data];
  const length = data.length / channels;
  return Array.from({ length: channels }, (_, channel) => {
    const samples = new Float32Array(length);
    for (let i = 0; i < length; i++) samples[i] = data[i * channels + channel] as number;
    return samples;
  });
}

/** A frame like `template` (rate, timestamp) holding these channels, interleaved. */
export function interleave(
  channelData: readonly Float32Array[],
  template: AudioFrameF32,
): AudioFrameF32 {
  const channels = channelData.length;
  if (channels === 1) return { ...template, channels: 1, data: channelData[0] as Float32Array };
  const length = (channelData[0] as Float32Array).length;
  const data = new Float32Array(length * channels);
  for (let channel = 0; channel < channels; channel++) {
    const samples = channelData[channel] as Float32Array;
    for (let i = 0; i < length; i++) data[i * channels + channel] = samples[i] as number;
  }
  return { ...template, channels, data };
}
