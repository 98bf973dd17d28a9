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

/** A registry with `invert-gain`: invert on video, the shipped gain on audio, gain's params. */
function audioVideoRegistry(): PipelineRegistry {
  const shipped = defaultPipelineRegistry();
  const invert = shipped.get('invert');
  const gain = shipped.get('gain');
  return new PipelineRegistry().register({
    name: 'invert-gain',
    description: 'inverts the picture and applies a gain to the sound',
    paramsSchema: gain.paramsSchema,
    media: ['video', 'audio'],
    create: () => invert.create({}),
    createAudio: (params) => {
      if (!gain.createAudio) throw new Error('gain has no audio part');
      return gain.createAudio(params);
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

/**
 * Opens a session of `pipeline` with gain −12 dB at `orchestratorUrl` from a werift peer offering
 * VP8 + Opus, sends 2 s of a tone, and checks the decoded sound back is 12 dB down.
 */
async function expectQuieterBack(orchestratorUrl: string, pipeline: string): Promise<void> {
  const publisher = await MediaPeer.offer(vp8, { audioCodec: opus });
  closers.push(() => publisher.close());
  const res = await fetch(`${orchestratorUrl}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      pipeline,
      sdp: publisher.localSdp,
      params: { gainDb: -12 },
    }),
  });
  expect(res.status).toBe(201);
  const { sdp } = (await res.json()) as { sdp: string };
  expect(sdp).toMatch(/^m=audio [1-9]\d* /m);
  await publisher.accept(sdp);
  await vi.waitFor(() => expect(publisher.state).toBe('connected'), { timeout: 20_000 });

  const returned: Uint8Array[] = [];
  publisher.on('audioRtp', (packet) => returned.push(packet.payload));
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
  const ratioDb = 20 * Math.log10((await levelOf(returned, 10)) / (await levelOf(sent, 10)));
  expect(ratioDb).toBeGreaterThan(-13.5);
  expect(ratioDb).toBeLessThan(-10.5);
}

describe('an orchestrator session whose pipeline processes audio', () => {
  it('returns the leg’s Opus through the pipeline’s audio part (gain −12 dB)', async () => {
    const orchestrator = await OrchestratorServer.create({ registry: audioVideoRegistry() });
    closers.push(() => orchestrator.close());
    await expectQuieterBack(orchestrator.url, 'invert-gain');
  });

  it('does so on a remote worker too: a shipped video pipeline’s voice effects (pixelate)', async () => {
    const stack = await startWorkerStack({ workers: [1] });
    closers.push(() => stack.close());
    await expectQuieterBack(stack.orchestrator.url, 'pixelate');
    // It ran on the worker, not on the orchestrator (which runs no session itself).
    expect(stack.workers[0]?.sessions.size).toBe(1);
  });
});
