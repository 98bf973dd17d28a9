import { createLogger } from '@peerframe/core';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { HandoverWatch, OrchestratorClient, probeUpstream } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';

// A killed orchestrator used to be noticed only by 400 ms of silence on its leg. Its session's
// event stream breaks at once, and a process that is gone refuses connections: the gateway
// probes on the break and, when the orchestrator is proven gone, moves after a short silence.

/** A session on `orchestrator` for a video offer no peer will ever connect. */
async function openSession(orchestrator: OrchestratorServer) {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  pc.addTransceiver('video', { direction: 'sendrecv' });
  const sdp = (await pc.createOffer()).sdp ?? '';
  pc.close();
  const client = new OrchestratorClient(orchestrator.url);
  const { id } = await client.createSession({ sdp, pipeline: 'passthrough', params: {} });
  return { client, id };
}

describe('probeUpstream and HandoverWatch on an orchestrator that goes away', () => {
  let orchestrator: OrchestratorServer | undefined;
  afterEach(async () => {
    await orchestrator?.close();
  });

  it('marks nothing while the session lives, then names why it is gone', async () => {
    orchestrator = await OrchestratorServer.create();
    const { client, id } = await openSession(orchestrator);
    const upstream: { client: OrchestratorClient; sessionId: string; gone?: string } = {
      client,
      sessionId: id,
    };
    expect(await probeUpstream(upstream)).toBeUndefined();
    expect(upstream.gone).toBeUndefined();

    // The session's event stream breaks when the orchestrator closes; a watch stopped first
    // reports nothing.
    const broken = new Promise<void>((resolve) => {
      new HandoverWatch(client, id, () => {}, createLogger('test'), resolve);
    });
    let stoppedBroke = false;
    const stopped = new HandoverWatch(
      client,
      id,
      () => {},
      createLogger('test'),
      () => {
        stoppedBroke = true;
      },
    );
    stopped.stop();
    await orchestrator.close();
    await broken;
    expect(stoppedBroke).toBe(false);
    expect(await probeUpstream(upstream)).toBe('the orchestrator refuses connections');
    expect(upstream.gone).toBe('the orchestrator refuses connections');
  });

  it('names a session the orchestrator no longer has', async () => {
    orchestrator = await OrchestratorServer.create();
    const { client, id } = await openSession(orchestrator);
    const upstream = { client, sessionId: id };
    await orchestrator.sessions.get(id)?.close();
    expect(await probeUpstream(upstream)).toMatch(
      /^the orchestrator no longer has the session \(4(04|10)\)$/,
    );
  });
});
