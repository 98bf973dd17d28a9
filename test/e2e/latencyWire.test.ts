import {
  createSession,
  NodeWhipPublisher,
  runFrameProbe,
  type SessionStats,
} from '@peerframe/client-sdk/node';
import type { FrameTimingRecord, HopTimings } from '@peerframe/core/frameTiming';
import { createWeriftPeer } from '@peerframe/core/werift';
import { WrtcVideoSink } from '@peerframe/core/wrtc';
import {
  parseVideoTiming,
  playoutDelayUri,
  type VideoTiming,
  videoTimingUri,
} from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RtpPacket } from 'werift';
import { startStack, type TestStack } from '../helpers/startStack.ts';
import { startSyntheticTrack } from '../helpers/syntheticTrack.ts';

/** A WHEP viewer on werift: it sees the RTP packets themselves, header extensions included. */
async function connectRtpViewer(whepUrl: string) {
  // VP8 with the mid, playout-delay and video-timing extensions, as every PeerFrame leg has them.
  const pc = createWeriftPeer();
  const packets: RtpPacket[] = [];
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  transceiver.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((packet) => packets.push(packet));
  });
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(whepUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription?.sdp ?? '',
  });
  expect(res.status).toBe(201);
  const answerSdp = await res.text();
  await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  // The ids the gateway answered with (a=extmap:<id>[/direction] <uri>).
  const extensionIds = new Map<string, number>();
  for (const [, id, uri] of answerSdp.matchAll(/^a=extmap:(\d+)(?:\/\w+)? (\S+)/gm)) {
    if (id && uri) extensionIds.set(uri, Number(id));
  }
  return { pc, packets, extensionIds };
}

function extensionOf(packet: RtpPacket, id: number | undefined): Buffer | undefined {
  return packet.header.extensions.find((e) => e.id === id)?.payload;
}

/** How far the gateway's estimate of a frame's capture may be off, ms (see below). */
const clockEstimateToleranceMs = 8;

const finiteHops = [
  'publisherToGateway',
  'gatewayToOrchestrator',
  'pipeline',
  'orchestratorToGateway',
  'captureToGatewayEgress',
  'gatewayToPublisher',
] as const satisfies readonly (keyof HopTimings)[];

describe('the latency extensions are on the wire and the hops in stats', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('forwards zero playout delay on every packet and video timing stamped by the gateway', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    let viewer: Awaited<ReturnType<typeof connectRtpViewer>> | undefined;
    try {
      viewer = await connectRtpViewer(publisher.playbackUrl as string);
      const playoutDelayId = viewer.extensionIds.get(playoutDelayUri);
      const videoTimingId = viewer.extensionIds.get(videoTimingUri);
      expect(playoutDelayId).toBeDefined();
      expect(videoTimingId).toBeDefined();

      const result = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 5_000,
        expectLuma: (y) => 251 - y,
      });
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.8);

      const { packets } = viewer;
      expect(packets.length).toBeGreaterThan(100);
      const withoutZeroDelay = packets.filter(
        (p) => !extensionOf(p, playoutDelayId)?.equals(Buffer.alloc(3)),
      );
      expect(withoutZeroDelay).toHaveLength(0);

      const timings = packets
        .map((p) => extensionOf(p, videoTimingId))
        .filter((payload) => payload !== undefined)
        .map((payload) => parseVideoTiming(payload));
      expect(timings.every((t) => t !== undefined)).toBe(true);
      const parsed = timings as VideoTiming[];
      // libwebrtc times a frame about every 200 ms, on its last packet: 27 in the 6 s measured.
      expect(parsed.length).toBeGreaterThanOrEqual(10);
      for (const t of parsed) expect(t.encodeFinishMs).toBeGreaterThanOrEqual(t.encodeStartMs);
      // The gateway stamps when the frame passed it (both network fields) once the
      // orchestrator's sender reports place its capture clock: the first frames of a stream may
      // come before that. The placement is an estimate (the least delayed of its last reports,
      // less half the round trip) and every field is whole ms, so the stamp may read a little
      // before the sender's pacer exit: network − pacerExit measured −5..+48 ms over 7 runs,
      // below −2 only in the first second (one report to go by).
      const stamped = parsed.filter((t) => t.networkMs > 0);
      expect(stamped.length).toBeGreaterThanOrEqual(parsed.length / 2);
      for (const t of stamped) {
        expect(t.network2Ms).toBe(t.networkMs);
        expect(t.networkMs).toBeGreaterThanOrEqual(t.pacerExitMs - clockEstimateToleranceMs);
      }
    } finally {
      await viewer?.pc.close();
      await publisher.close();
    }
  });

  it('reports each hop in the session stats and serves frame records on the orchestrator', async () => {
    const session = await createSession({ gatewayUrl: stack.gatewayUrl, pipeline: 'passthrough' });
    const { track, stop: stopTrack } = startSyntheticTrack(320, 240);
    const stats: SessionStats[] = [];
    session.on('stats', (s) => stats.push(s));
    let sink: InstanceType<typeof WrtcVideoSink> | undefined;
    try {
      await session.publish(track);
      const output = await vi.waitFor(
        () => {
          const t = session.output.getVideoTracks()[0];
          if (!t) throw new Error('no processed track yet');
          return t;
        },
        { timeout: 10_000, interval: 100 },
      );
      // Decode the output, as a page showing it would: the session's own hop needs decoded frames.
      sink = new WrtcVideoSink(output);
      const timed = (s: SessionStats): HopTimings | undefined => {
        const hops = s.hops;
        if (!hops || hops.frames === 0) return undefined;
        return finiteHops.every((name) => Number.isFinite(hops[name])) ? hops : undefined;
      };
      await vi.waitFor(
        () => {
          if (stats.filter((s) => timed(s)).length < 2)
            throw new Error('not two timed seconds yet');
        },
        { timeout: 15_000, interval: 200 },
      );
      const timedHops = stats.map(timed).filter((hops) => hops !== undefined);
      for (const hops of timedHops) {
        expect(hops.captureToGatewayEgress).toBeGreaterThanOrEqual(hops.publisherToGateway ?? 0);
      }

      const [stream] = await stack.streams();
      if (!stream) throw new Error('no stream on the gateway');
      const sessionUrl = `${stack.orchestratorUrl}/sessions/${stream.orchestratorSessionId}`;
      const asOperator = { headers: { authorization: `Bearer ${stack.orchestratorAdminToken}` } };
      const res = await fetch(`${sessionUrl}?framesAfter=0`, asOperator);
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        frames: FrameTimingRecord[];
        receivedAtMs: number;
        nowMs: number;
      };
      expect(body.frames.length).toBeGreaterThan(0);
      for (const frame of body.frames) {
        expect(frame.seq).toBeGreaterThan(0);
        expect(frame.startedAtMs).toBeGreaterThanOrEqual(frame.decodedAtMs);
        expect(frame.doneAtMs).toBeGreaterThanOrEqual(frame.startedAtMs);
      }
      expect(body.nowMs).toBeGreaterThanOrEqual(body.receivedAtMs);

      const bad = await fetch(`${sessionUrl}?framesAfter=-1`, asOperator);
      expect(bad.status).toBe(400);
      const error = (await bad.json()) as { error: { code: string; message: string } };
      expect(error.error.message).toMatch(/framesAfter/);
    } finally {
      sink?.stop();
      await session.close();
      stopTrack();
    }
  });
});
