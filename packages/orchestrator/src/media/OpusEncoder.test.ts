import type { AudioFrameS16 } from '@peerframe/pipelines';
import { afterEach, describe, expect, it } from 'vitest';
import { OpusDecoder } from './OpusDecoder.ts';
import { OpusEncoder, type OpusPacket } from './OpusEncoder.ts';

const rateHz = 48_000;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Frames of `frameSamples` (starting at 0 µs): silence with a 5 ms 1 kHz click at `clickAt`. */
function clickFrames(frameSamples: number, frames: number, clickAt: number): AudioFrameS16[] {
  return Array.from({ length: frames }, (_, i) => {
    const data = new Int16Array(frameSamples);
    for (let k = 0; k < frameSamples; k++) {
      const n = i * frameSamples + k - clickAt;
      if (n >= 0 && n < 240)
        data[k] = Math.round(0.6 * 32_767 * Math.cos((2 * Math.PI * 1_000 * n) / rateHz));
    }
    const timestampUs = (i * frameSamples * 1e6) / rateHz;
    return { sampleRateHz: rateHz, channels: 1, format: 's16', data, timestampUs };
  });
}

async function encodeAll(frames: AudioFrameS16[]): Promise<OpusPacket[]> {
  const encoder = new OpusEncoder();
  closers.push(() => encoder.close());
  const packets: OpusPacket[] = [];
  for (const frame of frames) packets.push(...(await encoder.encode(frame)));
  return packets;
}

/** The sample (48 kHz, by the packets' timestamps) where the decoded sound first gets loud. */
async function decodedOnset(packets: OpusPacket[]): Promise<number | undefined> {
  const decoder = new OpusDecoder();
  closers.push(() => decoder.close());
  for (const packet of packets) {
    for (const frame of await decoder.decode(packet.data, packet.timestampUs)) {
      const first = frame.data.findIndex((sample) => Math.abs(sample) > 8_192);
      if (first >= 0) return Math.round((frame.timestampUs * rateHz) / 1e6) + first;
    }
  }
  return undefined;
}

describe('OpusEncoder', () => {
  it('stamps each packet with the time of the sound it decodes to (its lookahead taken off)', async () => {
    const clickAt = 5 * 960 + 100;
    const packets = await encodeAll(clickFrames(960, 12, clickAt));
    // Heard where it was encoded, within a few samples of the codec's smoothing (the default
    // mode's 312-sample lookahead, unstamped, put it 6.5 ms late).
    expect(Math.abs(((await decodedOnset(packets)) ?? Number.NaN) - clickAt)).toBeLessThan(8);
  });

  it('makes packets as long as the frames that come in: 10 ms frames, 10 ms packets', async () => {
    const clickAt = 9 * 480 + 30;
    const frames = clickFrames(480, 20, clickAt);
    const packets = await encodeAll(frames);
    // One packet out per frame in: no frame waits for the next.
    expect(packets.map((p) => p.samples)).toEqual(frames.map(() => 480));
    expect(Math.abs(((await decodedOnset(packets)) ?? Number.NaN) - clickAt)).toBeLessThan(8);
  });
});
