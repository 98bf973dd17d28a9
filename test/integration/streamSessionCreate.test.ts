import { HttpError } from '@peerframe/core';
import { InvalidSdpError } from '@peerframe/core/sdp';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import {
  OrchestratorClient,
  type SfuAdapter,
  type SfuLeg,
  StreamSession,
  type StreamSessionOptions,
  weriftSfu,
} from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What the publisher's leg saw as it was answered: the orchestrator's sessions then, and the leg. */
type Answered = { sessionsAtStart: number; leg?: SfuLeg };

describe('StreamSession.create', () => {
  let orchestrator: OrchestratorServer;
  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create();
  });
  afterAll(async () => {
    await orchestrator?.close();
  });

  async function publisherOffer(): Promise<string> {
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    const offer = (await pc.createOffer()).sdp ?? '';
    pc.close();
    return offer;
  }

  /** The werift SFU, noting each publisher leg it answers; `refuse` then fails the answer. */
  function watchedSfu(refuse = false): { sfu: SfuAdapter; answered: Answered[] } {
    const answered: Answered[] = [];
    const sfu: SfuAdapter = {
      ...weriftSfu,
      answer: async (offerSdp, options) => {
        const seen: Answered = { sessionsAtStart: orchestrator.sessions.size };
        answered.push(seen);
        const result = await weriftSfu.answer(offerSdp, options);
        seen.leg = result.leg;
        if (!refuse) return result;
        await result.leg.close();
        throw new InvalidSdpError('refused by the test');
      },
    };
    return { sfu, answered };
  }

  const options = (sfu: SfuAdapter): StreamSessionOptions => ({
    pipeline: 'passthrough',
    params: {},
    sfu,
    selectOrchestrator: () => new OrchestratorClient(orchestrator.url),
    bitrate: { startKbps: 1000, minKbps: 500, maxKbps: 2000 },
  });

  it('answers the publisher while the orchestrator makes its session, and returns once both exist', async () => {
    const { sfu, answered } = watchedSfu();
    const stream = await StreamSession.create(await publisherOffer(), options(sfu));
    try {
      expect(answered).toHaveLength(1);
      // Before, the publisher was answered only after the orchestrator's session existed.
      expect(answered[0]?.sessionsAtStart).toBe(0);
      expect(orchestrator.sessions.size).toBe(1);
      expect(stream.answerSdp).toMatch(/^a=fingerprint:/m);
    } finally {
      await stream.close();
    }
    await expect.poll(() => orchestrator.sessions.size, { timeout: 5_000 }).toBe(0);
  });

  it('closes the answered publisher leg when no orchestrator takes the stream', async () => {
    const { sfu, answered } = watchedSfu();
    await expect(
      StreamSession.create(await publisherOffer(), {
        ...options(sfu),
        selectOrchestrator: () => {
          throw new HttpError(503, 'no_orchestrator', 'No orchestrator runs "passthrough"');
        },
      }),
    ).rejects.toMatchObject({ code: 'no_orchestrator' });
    expect(answered).toHaveLength(1);
    expect(answered[0]?.leg?.state).toBe('closed');
  });

  it('ends the orchestrator session when the publisher cannot be answered, with the offer’s error', async () => {
    const { sfu } = watchedSfu(true);
    await expect(StreamSession.create(await publisherOffer(), options(sfu))).rejects.toThrow(
      /refused by the test/,
    );
    await expect.poll(() => orchestrator.sessions.size, { timeout: 5_000 }).toBe(0);
  });
});
