import { epochNowMs } from '@peerframe/core/frameTiming';
import { InvalidSdpError } from '@peerframe/core/sdp';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { defaultPipelineRegistry, solidI420Frame } from '@peerframe/pipelines';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestratorPipelines } from './createOrchestratorPipelines.ts';
import { ThreadedPipeline } from './inference/ThreadedPipeline.ts';
import { MediaWorker } from './media/MediaWorker.ts';
import { MediaWorkerPool } from './media/MediaWorkerPool.ts';
import { NodeAvEngine } from './media/NodeAvEngine.ts';
import type { DecodedPicture } from './media/SessionMedia.ts';
import { OrchestratorSession } from './OrchestratorSession.ts';

const engineInfo = (await NodeAvEngine.create({ hardware: 'off' })).info;
const media = new MediaWorkerPool(engineInfo, { spares: 0 });
afterAll(() => media.close());

// Regression found by the fuzz suite (test/fuzz/http.test.ts): offers that pass the SDP checks
// but that no peer can use (an ICE ufrag under 4 characters, a fingerprint that is no digest)
// threw a DOMException or TypeError, and POST /sessions answered 500 instead of 400 invalid_sdp.

async function realOffer(): Promise<string> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'sendrecv' });
    return (await pc.createOffer()).sdp ?? '';
  } finally {
    pc.close();
  }
}

describe('OrchestratorSession.create', () => {
  it.each([
    [
      'an ICE ufrag of one character',
      (sdp: string) => sdp.replace(/a=ice-ufrag:.*/g, 'a=ice-ufrag:a'),
    ],
    [
      'a fingerprint of the wrong length',
      (sdp: string) => sdp.replace(/a=fingerprint:sha-256 .*/g, 'a=fingerprint:sha-256 00:11'),
    ],
  ])('refuses an offer with %s as InvalidSdpError', async (_name, change) => {
    const pipeline = await defaultPipelineRegistry().create('passthrough');
    try {
      const created = OrchestratorSession.create(change(await realOffer()), pipeline, { media });
      await expect(created).rejects.toBeInstanceOf(InvalidSdpError);
      await expect(created).rejects.toMatchObject({ code: 'invalid_sdp' });
    } finally {
      await pipeline.close();
    }
  });

  // Found with the same suite: a session whose gateway never connects (it vanished after
  // POST /sessions) held its capacity slot for ever.
  it('closes a session whose peer never connects', async () => {
    const pipeline = await defaultPipelineRegistry().create('passthrough');
    const session = await OrchestratorSession.create(await realOffer(), pipeline, {
      media,
      connectTimeoutMs: 300,
    });
    expect(session.state).toBe('connecting');
    await expect.poll(() => session.state, { timeout: 5_000 }).toBe('closed');
  });

  it('answers the offer while its pipeline is still being made', async () => {
    let answered = false;
    const answering = {
      take: async () => {
        const thread = await media.take();
        const answer = thread.answer.bind(thread);
        thread.answer = async (...args) => {
          const sdp = await answer(...args);
          answered = true;
          return sdp;
        };
        return thread;
      },
    };
    // The pipeline is made only once the offer is answered: waiting for it first never ends.
    const made = expect.poll(() => answered, { timeout: 20_000 }).toBe(true);
    const pipeline = made.then(() => defaultPipelineRegistry().create('passthrough'));
    const session = await OrchestratorSession.create(await realOffer(), pipeline, {
      media: answering,
      connectTimeoutMs: 300,
    });
    expect(session.pipeline.name).toBe('passthrough');
    expect(session.answerSdp).toMatch(/^v=0/);
    await session.close();
  });

  it('fails with the error its pipeline failed with', async () => {
    const taken: MediaWorker[] = [];
    const recording = {
      take: async () => {
        const thread = await media.take();
        taken.push(thread);
        return thread;
      },
    };
    const offer = await realOffer();
    const failing = defaultPipelineRegistry().create('passthrough', { nope: 1 });
    await expect(OrchestratorSession.create(offer, failing, { media: recording })).rejects.toThrow(
      'The passthrough pipeline takes no params; got "nope"',
    );
    expect(taken).toHaveLength(1); // answered meanwhile, then closed
  });
});

describe('OrchestratorSession: frames between the media and inference threads', () => {
  // Frames used to go media thread → main thread → inference thread → main thread → media
  // thread, so anything holding the main thread (HTTP, payments, a GC pause) held every frame.
  // Here the main thread is blocked while a burst of bright frames goes round: a publisher's
  // media thread (the engine, connected straight to the session) must get some of them back,
  // decoded, before the main thread runs again.
  it('runs frames while the main thread is blocked', async () => {
    const pipelines = await createOrchestratorPipelines({
      executionProvider: 'cpu',
      inferenceThreads: { spares: 0 },
    });
    const publisher = await MediaWorker.spawn(engineInfo, { warmUp: true });
    let session: OrchestratorSession | undefined;
    try {
      const pipeline = await pipelines.registry.create('passthrough');
      expect(pipeline).toBeInstanceOf(ThreadedPipeline);
      const vp8 = { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' } as const;
      session = await OrchestratorSession.create(await publisher.offer(vp8), pipeline, { media });
      await publisher.accept(session.answerSdp);
      // Its frames come from the media thread now, not through `process` on this thread.
      await expect(
        pipeline.process(solidI420Frame(64, 48, { y: 60, u: 128, v: 128 })),
      ).rejects.toThrow('media thread');
      const back: DecodedPicture[] = [];
      publisher.on('picture', (picture) => back.push(picture));
      const send = (y: number) =>
        publisher.send(solidI420Frame(320, 240, { y, u: 128, v: 128 }), epochNowMs(), true);
      // Connected and warm: dark frames until one comes back.
      await expect
        .poll(
          () => {
            send(60);
            return back.length;
          },
          { timeout: 30_000, interval: 50 },
        )
        .toBeGreaterThan(0);
      const bright = (picture: DecodedPicture) => (picture.data[0] ?? 0) > 150;
      for (let i = 0; i < 4; i++) send(200);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
      const unblockedAtMs = epochNowMs();
      await expect.poll(() => back.some(bright), { timeout: 10_000 }).toBe(true);
      // Decoded back at the publisher while this thread was still blocked.
      expect(back.find(bright)?.decodedAtMs).toBeLessThan(unblockedAtMs);
      // The session still counts what went through (from the inference thread's reports).
      await expect.poll(() => session?.stats().framesOut ?? 0).toBeGreaterThan(1);
      expect(session.stats().framesIn).toBeGreaterThan(1);
      expect(session.frameTimings().length).toBe(session.stats().framesOut);
    } finally {
      await session?.close();
      await publisher.close();
      await pipelines.close();
    }
  }, 60_000);
});
