import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { OrchestratorClient, type StreamFailedError, StreamSession } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import type { StreamState } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Regression found while fuzzing WHIP (test/fuzz/http.test.ts): a valid offer whose publisher
// never connects got its 201 and then held its orchestrator session for ever, so a few bare
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
});
