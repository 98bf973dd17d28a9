import { type AudioFrameS16, defaultPipelineRegistry } from '@peerframe/pipelines';
import { afterEach, describe, expect, it } from 'vitest';
import { OpusAudioPath, type ProcessAudio } from './OpusAudioPath.ts';
import { OpusDecoder } from './OpusDecoder.ts';
import {
  OpusEncoder,
  type OpusPacket,
  opusFrameSamples,
  opusLookaheadSamples,
} from './OpusEncoder.ts';

const rateHz = 48_000;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** `count` 20 ms packets of a 440 Hz tone at `amplitude` (of full scale), Opus-encoded. */
async function tonePackets(count: number, amplitude: number): Promise<OpusPacket[]> {
  const encoder = new OpusEncoder();
  closers.push(() => encoder.close());
  const packets: OpusPacket[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Int16Array(opusFrameSamples);
    for (let k = 0; k < data.length; k++) {
      const t = (i * opusFrameSamples + k) / rateHz;
      data[k] = Math.round(amplitude * 32_767 * Math.sin(2 * Math.PI * 440 * t));
    }
    const frame: AudioFrameS16 = {
      sampleRateHz: rateHz,
      channels: 1,
      format: 's16',
      data,
      timestampUs: i * 20_000,
    };
    packets.push(...(await encoder.encode(frame)));
  }
  return packets;
}

/** RMS (of full scale) of the decoded packets, after the first `skip` (the codecs settling). */
async function decodedRms(packets: OpusPacket[], skip: number): Promise<number> {
  const decoder = new OpusDecoder();
  closers.push(() => decoder.close());
  let sum = 0;
  let n = 0;
  for (const [index, packet] of packets.entries()) {
    for (const frame of await decoder.decode(packet.data, packet.timestampUs)) {
      if (index < skip) continue;
      for (const sample of frame.data) sum += (sample / 32_768) ** 2;
      n += frame.data.length;
    }
  }
  return Math.sqrt(sum / n);
}

async function runPath(process: ProcessAudio, packets: OpusPacket[]): Promise<OpusPacket[]> {
  const path = new OpusAudioPath({ process });
  closers.push(() => path.close());
  const all = await Promise.all(packets.map((p) => path.push(p.data, p.timestampUs)));
  return all.flat();
}

describe('OpusAudioPath', () => {
  it('decodes Opus, runs the gain pipeline and encodes it: the level falls by the gain', async () => {
    const input = await tonePackets(50, 0.5);
    const inputRms = await decodedRms(input, 5);
    expect(inputRms).toBeGreaterThan(0.3); // 0.5 / √2 ≈ 0.354 through two Opus generations

    const gain = await defaultPipelineRegistry().createAudio('gain', { gainDb: -12 });
    closers.push(() => gain.close());
    const output = await runPath((frame) => gain.process(frame), input);
    // One 20 ms packet out per packet in; timestamps follow the input's, less the lookahead.
    expect(output).toHaveLength(input.length);
    const lookaheadUs = opusLookaheadSamples * (1e6 / rateHz);
    expect(output.map((p) => p.timestampUs)).toEqual(input.map((p) => p.timestampUs - lookaheadUs));
    const ratioDb = 20 * Math.log10((await decodedRms(output, 5)) / inputRms);
    expect(ratioDb).toBeGreaterThan(-13.5);
    expect(ratioDb).toBeLessThan(-10.5);
  });

  it('without processing the level stays (what the gain check tells apart)', async () => {
    const input = await tonePackets(50, 0.5);
    const output = await runPath(async (frame) => frame, input);
    const ratioDb = 20 * Math.log10((await decodedRms(output, 5)) / (await decodedRms(input, 5)));
    expect(Math.abs(ratioDb)).toBeLessThan(1);
  });

  it('closes with a packet being decoded, without handing its frames to a pipeline that is gone', async () => {
    const [packet] = await tonePackets(1, 0.5);
    if (!packet) throw new Error('no packet');
    let processed = 0;
    // The session's pipeline once the session closed: it never answers.
    const path = new OpusAudioPath({
      process: () => {
        processed++;
        return new Promise<never>(() => {});
      },
    });
    const pushed = path.push(packet.data, packet.timestampUs);
    // A few microtasks: the packet's turn has come and its decode (on libuv's pool) is in flight.
    for (let i = 0; i < 3; i++) await Promise.resolve();
    await path.close();
    expect(await pushed).toEqual([]);
    expect(processed).toBe(0);
  });

  it('re-chunks a pipeline answering in 10 ms steps into 20 ms packets when told to', async () => {
    const encoder = new OpusEncoder({ frameSamples: opusFrameSamples });
    closers.push(() => encoder.close());
    const half = (i: number): AudioFrameS16 => ({
      sampleRateHz: rateHz,
      channels: 1,
      format: 's16',
      data: new Int16Array(480).fill(1000),
      timestampUs: i * 10_000,
    });
    expect(await encoder.encode(half(0))).toHaveLength(0);
    const packets = await encoder.encode(half(1));
    // Stamped with the time of the sound it decodes to: the encoder's lookahead earlier.
    expect(packets.map((p) => p.timestampUs)).toEqual([-opusLookaheadSamples * (1e6 / rateHz)]);
    await expect(encoder.encode({ ...half(2), sampleRateHz: 16_000 })).rejects.toThrow(
      /48000 Hz 1-channel PCM, not 16000 Hz/,
    );
  });
});
