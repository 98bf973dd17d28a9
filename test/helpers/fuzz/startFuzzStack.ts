import {
  type FrameProbeResult,
  NodeWhipPublisher,
  runFrameProbe,
} from '@peerframe/client-sdk/node';
import { WrtcPeerConnection, waitForIceGathering } from '@peerframe/core/wrtc';
import { GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';

/**
 * A gateway and an orchestrator in this process (so a crash in either fails the run, and their
 * memory is this process's), with one live publisher through them whose stream must keep
 * flowing while the fuzz cases arrive — as in test/integration/badInput.test.ts.
 */
export type FuzzStack = {
  gateway: GatewayServer;
  orchestrator: OrchestratorServer;
  publisher: NodeWhipPublisher;
  /** A real offer from a libwebrtc peer (what browsers and the SDK send). */
  offer: string;
  /** The live stream's ids: mutated requests may aim at them (never to end it). */
  live: { streamId: string; playbackId: string; sessionId: string };
  /**
   * Waits until the gateway has only the live stream and the orchestrator only its session (plus
   * `extraSessions`): streams a case opened without learning it (a content-length lie answered
   * by the parser first) end when their publisher fails to connect. Returns what is left.
   */
  settle(
    timeoutMs?: number,
    extraSessions?: number,
  ): Promise<{ streams: number; sessions: number }>;
  /** Pushes frames through the live stream and checks they come back inverted. */
  probe(durationMs?: number): Promise<FrameProbeResult>;
  close(): Promise<void>;
};

/** A libwebrtc offer with one sendrecv video transceiver (no ICE candidates). */
export async function createRealOffer(): Promise<string> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'sendrecv' });
    return (await pc.createOffer()).sdp ?? '';
  } finally {
    pc.close();
  }
}

/**
 * A session on an orchestrator with a real libwebrtc peer on the other side, connected (a session
 * whose peer never connects is closed after 15 s), with the token that opens it; `body` adds to
 * the `POST /sessions` body (a `payment`, `params`). `close()` deletes it and closes the peer.
 */
export async function openConnectedSession(
  orchestratorUrl: string,
  pipeline: string,
  isLive: (id: string) => boolean,
  body: Record<string, unknown> = {},
): Promise<{ id: string; token: string; close(): Promise<void> }> {
  const peer = new WrtcPeerConnection({ iceServers: [] });
  try {
    peer.addTransceiver('video', { direction: 'sendrecv' });
    await peer.setLocalDescription(await peer.createOffer());
    await waitForIceGathering(peer);
    const res = await fetch(`${orchestratorUrl}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, sdp: peer.localDescription?.sdp, pipeline }),
    });
    if (res.status !== 201) {
      throw new Error(`POST /sessions answered ${res.status}: ${await res.text()}`);
    }
    const { id, sdp, token } = (await res.json()) as { id: string; sdp: string; token: string };
    await peer.setRemoteDescription({ type: 'answer', sdp });
    const deadline = performance.now() + 10_000;
    while (!isLive(id)) {
      if (performance.now() > deadline) throw new Error(`session ${id} did not connect`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      id,
      token,
      close: async () => {
        const deleted = await fetch(`${orchestratorUrl}/sessions/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        });
        await deleted.body?.cancel();
        peer.close();
      },
    };
  } catch (error) {
    peer.close();
    throw error;
  }
}

export async function startFuzzStack(): Promise<FuzzStack> {
  // Room for the sessions valid fuzz offers open (each is ended at once).
  const orchestrator = await OrchestratorServer.create({ maxSessions: 16 });
  let gateway: GatewayServer | undefined;
  let publisher: NodeWhipPublisher | undefined;
  try {
    gateway = await GatewayServer.create({
      orchestrators: [orchestrator.url],
      // The fuzz client is one address sending thousands of requests: rate limits are tested
      // elsewhere (test/integration/rateLimit.test.ts).
      requestsPer10s: 1_000_000_000,
    });
    publisher = await NodeWhipPublisher.connect({ whipUrl: gateway.whipUrl, pipeline: 'invert' });
    const streamId = new URL(publisher.resourceUrl).pathname.split('/').pop() ?? '';
    const playbackId =
      new URL(publisher.playbackUrl ?? 'http://x/').pathname.split('/').pop() ?? '';
    const [sessionId = ''] = orchestrator.sessions.keys();
    const offer = await createRealOffer();
    const stack: FuzzStack = {
      gateway,
      orchestrator,
      publisher,
      offer,
      live: { streamId, playbackId, sessionId },
      settle: async (timeoutMs = 30_000, extraSessions = 0) => {
        const deadline = performance.now() + timeoutMs;
        const left = () => ({
          streams: (gateway as GatewayServer).streams.size,
          sessions: orchestrator.sessions.size,
        });
        while (performance.now() < deadline) {
          const { streams, sessions } = left();
          if (streams === 1 && sessions === 1 + extraSessions) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        return left();
      },
      probe: (durationMs = 2_000) =>
        runFrameProbe(publisher as NodeWhipPublisher, {
          widthPx: 320,
          heightPx: 240,
          durationMs,
          expectLuma: (y) => 251 - y,
        }),
      close: async () => {
        await publisher?.close();
        await gateway?.close();
        await orchestrator.close();
      },
    };
    return stack;
  } catch (error) {
    await publisher?.close();
    await gateway?.close();
    await orchestrator.close();
    throw error;
  }
}
