import { InvalidSdpError } from '@peerframe/core/sdp';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { defaultPipelineRegistry } from '@peerframe/pipelines';
import { afterAll, describe, expect, it } from 'vitest';
import type { MediaWorker } from './media/MediaWorker.ts';
import { MediaWorkerPool } from './media/MediaWorkerPool.ts';
import { NodeAvEngine } from './media/NodeAvEngine.ts';
import { OrchestratorSession } from './OrchestratorSession.ts';

const media = new MediaWorkerPool((await NodeAvEngine.create({ hardware: 'off' })).info, {
  spares: 0,
});
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
