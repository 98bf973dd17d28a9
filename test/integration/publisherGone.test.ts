import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import {
  GatewayServer,
  OrchestratorClient,
  type StreamFailedError,
  StreamSession,
} from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import type { StreamState } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GstWhipPublisher } from '../helpers/GstWhipPublisher.ts';
import { pushMovingBar } from '../helpers/pushMovingBar.ts';

// Publishers that never connect, or stop sending, must not hold (and be paid for) an
// orchestrator session. The first, a regression found while fuzzing WHIP (test/fuzz/http.test.ts):
// a valid offer whose publisher never connects got its 201 and then held its orchestrator session for ever, so a few bare
// POSTs used up an orchestrator's capacity for everyone.

describe('StreamSession', () => {
  let orchestrator: OrchestratorServer;
  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create();
  });
  afterAll(async () => {
    await orchestrator?.close();
  });

  it('ends a stream whose publisher never connects, and frees its orchestrator session', async () => {
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    const offer = (await pc.createOffer()).sdp ?? '';
    pc.close();
    const stream = await StreamSession.create(offer, {
      pipeline: 'passthrough',
      params: {},
      selectOrchestrator: () => new OrchestratorClient(orchestrator.url),
      bitrate: { startKbps: 1000, minKbps: 500, maxKbps: 2000 },
      publisherConnectTimeoutMs: 500,
    });
    expect(orchestrator.sessions.size).toBe(1);
    const failed = new Promise<StreamFailedError>((resolve) => stream.once('error', resolve));
    const states: StreamState[] = [];
    stream.on('state', (state) => states.push(state));
    const error = await failed;
    expect(error.code).toBe('publisher_not_connected');
    expect(states).toEqual(['ended']);
    await expect.poll(() => orchestrator.sessions.size, { timeout: 5_000 }).toBe(0);
  });

  it('ends a stream whose connected publisher stops sending, and frees its orchestrator session', async () => {
    // Nothing tells the gateway such a publisher is gone: GStreamer's webrtcbin keeps answering
    // ICE (its process is alive), and a mediasoup leg checks no publisher's consent.
    const gateway = await GatewayServer.create({
      orchestrators: [orchestrator.url],
      publisherSilenceTimeoutMs: 1_000,
    });
    const publisher = await GstWhipPublisher.connect({
      whipUrl: `${gateway.url}/whip`,
      pipeline: 'passthrough',
      widthPx: 160,
      heightPx: 120,
    });
    try {
      const stream = gateway.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream');
      const failed = new Promise<StreamFailedError>((resolve) => stream.once('error', resolve));
      const bar = pushMovingBar(publisher, 160, 120);
      // Sending: the stream lives past the timeout.
      await expect.poll(() => stream.stats().state, { timeout: 10_000 }).toBe('live');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(stream.stats().state).toBe('live');
      await bar.close();
      const error = await failed;
      expect(error.code).toBe('publisher_silent');
      expect(error.message).toMatch(/sent no media for 1000 ms/);
      expect(gateway.streams.has(publisher.streamId)).toBe(false);
      await expect.poll(() => orchestrator.sessions.size, { timeout: 5_000 }).toBe(0);
    } finally {
      await publisher.close();
      await gateway.close();
    }
  });
});
