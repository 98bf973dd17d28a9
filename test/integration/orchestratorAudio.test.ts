/**
 * Audio through the orchestrator: a pipeline that processes audio answers the gateway leg's Opus,
 * decodes it on the session's media thread, runs its audio part on the main thread and sends the
 * result back on the leg. A real werift peer offers VP8 + Opus, sends a tone and decodes what
 * comes back: the gain asked for must show in the level (an echo of the original would not).
 */
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import {
  MediaPeer,
  OpusDecoder,
  OpusEncoder,
  OrchestratorServer,
  opusFrameSamples,
  opusLookaheadSamples,
} from '@peerframe/orchestrator';
import { defaultPipelineRegistry, PipelineRegistry } from '@peerframe/pipelines';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { startWorkerStack } from '../helpers/workerStack.ts';

const vp8: VideoCodecChoice = { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' };
const opus: AudioCodecChoice = {
  name: 'opus',
  payloadType: 111,
  clockRate: 48_000,
  channels: 2,
  fmtp: 'minptime=10;useinbandfec=1',
};
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A registry with `invert-<audio>`: invert on video, a shipped audio pipeline on audio. */
function audioVideoRegistry(audio: 'gain' | 'voice-pitch' = 'gain'): PipelineRegistry {
  const shipped = defaultPipelineRegistry();
  const invert = shipped.get('invert');
  const sound = shipped.get(audio);
  return new PipelineRegistry().register({
    name: `invert-${audio}`,
    description: `inverts the picture and runs ${audio} on the sound`,
    paramsSchema: sound.paramsSchema,
    media: ['video', 'audio'],
    create: () => invert.create({}),
    createAudio: (params) => {
      if (!sound.createAudio) throw new Error(`${audio} has no audio part`);
      return sound.createAudio(params);
    },
  });
}

/** The decoded level (RMS of full scale) of Opus payloads, past the first `skip` packets. */
async function levelOf(payloads: Uint8Array[], skip: number): Promise<number> {
  const decoder = new OpusDecoder();
  try {
    let sum = 0;
    let count = 0;
    for (const [index, payload] of payloads.entries()) {
      const frames = await decoder.decode(payload, 0);
      if (index < skip) continue;
      for (const frame of frames) {
        for (const sample of frame.data) sum += (sample / 32_768) ** 2;
        count += frame.data.length;
      }
    }
    return Math.sqrt(sum / count);
  } finally {
    await decoder.close();
  }
}

describe('an orchestrator session whose pipeline processes audio', () => {
  /**
   * Offers VP8 + Opus for `pipeline` at `orchestratorUrl`, sends 2 s of a 440 Hz tone at half
   * scale (RTP timestamp 960 × n for packet n) and waits for what comes back.
   */
  async function sendTone(
    orchestratorUrl: string,
    pipeline: string,
    params: Record<string, unknown>,
  ) {
    const publisher = await MediaPeer.offer(vp8, { audioCodec: opus });
    closers.push(() => publisher.close());
    const res = await fetch(`${orchestratorUrl}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        pipeline,
        sdp: publisher.localSdp,
        params,
      }),
    });
    expect(res.status).toBe(201);
    const { sdp } = (await res.json()) as { sdp: string };
    expect(sdp).toMatch(/^m=audio [1-9]\d* /m);
    await publisher.accept(sdp);
    await vi.waitFor(() => expect(publisher.state).toBe('connected'), { timeout: 20_000 });

    const returned: Uint8Array[] = [];
    const timestamps: number[] = [];
    publisher.on('audioRtp', (packet) => {
      returned.push(packet.payload);
      timestamps.push(packet.header.timestamp);
    });
    const sender = publisher.audioSender;
    if (!sender) throw new Error('the publisher has no audio sender');
    const encoder = new OpusEncoder();
    closers.push(() => encoder.close());
    const sent: Uint8Array[] = [];
    const packets = 100; // 2 s of a 440 Hz tone at half scale
    for (let i = 0; i < packets; i++) {
      const data = new Int16Array(opusFrameSamples);
      for (let k = 0; k < data.length; k++) {
        const phase = (2 * Math.PI * 440 * (i * opusFrameSamples + k)) / 48_000;
        data[k] = Math.round(16_384 * Math.sin(phase));
      }
      const frame = { sampleRateHz: 48_000, channels: 1, format: 's16' as const, data };
      for (const packet of await encoder.encode({ ...frame, timestampUs: i * 20_000 })) {
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
    await vi.waitFor(() => expect(returned.length).toBeGreaterThanOrEqual(packets - 10), {
      timeout: 30_000,
      interval: 50,
    });
    return { sent, returned, timestamps };
  }

  /** A session of `audio`'s pipeline on an orchestrator of its own. */
  async function sendToneTo(audio: 'gain' | 'voice-pitch', params: Record<string, unknown>) {
    const orchestrator = await OrchestratorServer.create({ registry: audioVideoRegistry(audio) });
    closers.push(() => orchestrator.close());
    return sendTone(orchestrator.url, `invert-${audio}`, params);
  }

  /** The decoded sound back is 12 dB down from what was sent. */
  async function expectQuieter(sent: Uint8Array[], returned: Uint8Array[]): Promise<void> {
    const ratioDb = 20 * Math.log10((await levelOf(returned, 10)) / (await levelOf(sent, 10)));
    expect(ratioDb).toBeGreaterThan(-13.5);
    expect(ratioDb).toBeLessThan(-10.5);
  }

  it('returns the leg’s Opus through the pipeline’s audio part (gain −12 dB)', async () => {
    const { sent, returned, timestamps } = await sendToneTo('gain', { gainDb: -12 });
    // Gain has no delay: each packet keeps the timestamp of the input it came from, less the
    // encoder's lookahead (the sound it decodes to is that much older).
    for (const timestamp of timestamps)
      expect(((timestamp + opusLookaheadSamples) >>> 0) % opusFrameSamples).toBe(0);
    await expectQuieter(sent, returned);
  });

  it('does so on a remote worker too: a shipped video pipeline’s voice effects (pixelate)', async () => {
    const stack = await startWorkerStack({ workers: [1] });
    closers.push(() => stack.close());
    const { sent, returned } = await sendTone(stack.orchestrator.url, 'pixelate', { gainDb: -12 });
    await expectQuieter(sent, returned);
    // It ran on the worker, not on the orchestrator (which runs no session itself).
    expect(stack.workers[0]?.sessions.size).toBe(1);
  });

  it('stamps a pipeline’s output its delay earlier than the input (pitch shifter: 2048 samples)', async () => {
    const { timestamps } = await sendToneTo('voice-pitch', {});
    // Its output sample at t carries the input at t − 2048 samples: stamped so, the gateway sends
    // the sound at its capture time plus the video's lag, in sync with the video.
    expect(timestamps.length).toBeGreaterThan(80);
    for (const timestamp of timestamps)
      expect(
        ((timestamp + 2048 + opusLookaheadSamples) >>> 0) % opusFrameSamples,
        `timestamp ${timestamp}`,
      ).toBe(0);
  });
});
