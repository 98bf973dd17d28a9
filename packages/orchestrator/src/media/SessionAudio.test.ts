import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import { type AudioFrameS16, defaultPipelineRegistry } from '@peerframe/pipelines';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { MediaPeer } from './MediaPeer.ts';
import { OpusDecoder } from './OpusDecoder.ts';
import { OpusEncoder, opusFrameSamples } from './OpusEncoder.ts';
import { SessionAudio } from './SessionAudio.ts';

const vp8: VideoCodecChoice = { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' };
const opus: AudioCodecChoice = {
  name: 'opus',
  payloadType: 111,
  clockRate: 48_000,
  channels: 2,
  fmtp: 'minptime=10;useinbandfec=1',
};
const rateHz = 48_000;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function tone(index: number, amplitude: number): AudioFrameS16 {
  const data = new Int16Array(opusFrameSamples);
  for (let k = 0; k < data.length; k++) {
    const t = (index * opusFrameSamples + k) / rateHz;
    data[k] = Math.round(amplitude * 32_767 * Math.sin(2 * Math.PI * 440 * t));
  }
  return { sampleRateHz: rateHz, channels: 1, format: 's16', data, timestampUs: index * 20_000 };
}

/** RMS (of full scale) of PCM frames. */
function rmsOf(frames: AudioFrameS16[]): number {
  let sum = 0;
  let n = 0;
  for (const frame of frames) {
    for (const sample of frame.data) sum += (sample / 32_768) ** 2;
    n += frame.data.length;
  }
  return Math.sqrt(sum / n);
}

/** A publisher-side peer and the orchestrator's peer with audio, connected over loopback. */
async function connectedPair(): Promise<{ publisher: MediaPeer; orchestrator: MediaPeer }> {
  const publisher = await MediaPeer.offer(vp8, { audioCodec: opus });
  closers.push(() => publisher.close());
  const orchestrator = await MediaPeer.answer(publisher.localSdp, vp8, { audioCodec: opus });
  closers.push(() => orchestrator.close());
  expect(orchestrator.localSdp).toMatch(/^m=audio [1-9]\d* /m);
  expect(orchestrator.localSdp).toMatch(/^a=rtpmap:111 opus\/48000\/2/m);
  await publisher.accept(orchestrator.localSdp);
  await vi.waitFor(
    () => {
      expect(publisher.state).toBe('connected');
      expect(orchestrator.state).toBe('connected');
    },
    { timeout: 15_000, interval: 50 },
  );
  return { publisher, orchestrator };
}

describe('SessionAudio', () => {
  it('returns the publisher Opus processed by the pipeline over a real leg (gain −12 dB)', async () => {
    const { publisher, orchestrator } = await connectedPair();
    const gain = await defaultPipelineRegistry().createAudio('gain', { gainDb: -12 });
    closers.push(() => gain.close());
    const audio = new SessionAudio(orchestrator, (frame) => gain.process(frame));
    closers.push(() => audio.close());

    const received: RtpPacket[] = [];
    publisher.on('audioRtp', (packet) => received.push(packet));
    const encoder = new OpusEncoder();
    closers.push(() => encoder.close());
    const sent: Uint8Array[] = [];
    const sender = publisher.audioSender;
    if (!sender) throw new Error('the publisher has no audio sender');
    const count = 75; // 1.5 s
    for (let i = 0; i < count; i++) {
      for (const packet of await encoder.encode(tone(i, 0.5))) {
        sent.push(packet.data);
        const header = new RtpHeader({
          payloadType: sender.payloadType,
          sequenceNumber: i,
          timestamp: i * opusFrameSamples,
          ssrc: sender.ssrc,
        });
        publisher.sendAudioRtp(new RtpPacket(header, Buffer.from(packet.data)));
      }
    }
    await vi.waitFor(() => expect(received.length).toBeGreaterThanOrEqual(count - 5), {
      timeout: 20_000,
      interval: 50,
    });
    expect(audio.stats.packetsDropped).toBe(0);
    // The returned packets keep the input's RTP clock: each at one of the sent timestamps.
    const sentTimestamps = new Set(sent.map((_, i) => i * opusFrameSamples));
    expect(received.filter((p) => !sentTimestamps.has(p.header.timestamp))).toEqual([]);

    const decode = async (payloads: Uint8Array[]) => {
      const decoder = new OpusDecoder();
      closers.push(() => decoder.close());
      const frames: AudioFrameS16[] = [];
      for (const [i, payload] of payloads.entries())
        frames.push(...(await decoder.decode(payload, i)));
      return frames.slice(10); // past the codecs settling
    };
    received.sort((a, b) => a.header.timestamp - b.header.timestamp);
    const inRms = rmsOf(await decode(sent));
    const outRms = rmsOf(await decode(received.map((p) => p.payload)));
    const ratioDb = 20 * Math.log10(outRms / inRms);
    expect(ratioDb).toBeGreaterThan(-13.5);
    expect(ratioDb).toBeLessThan(-10.5);
  });

  it('answers an offer without audio as before when no audio codec is asked for', async () => {
    const publisher = await MediaPeer.offer(vp8, { audioCodec: opus });
    closers.push(() => publisher.close());
    const orchestrator = await MediaPeer.answer(publisher.localSdp, vp8);
    closers.push(() => orchestrator.close());
    expect(orchestrator.audioSender).toBeUndefined();
    expect(orchestrator.localSdp).toMatch(/^m=audio 0 /m);
  });
});
