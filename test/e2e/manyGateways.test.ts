import { type RedisServer, startRedisServer } from '@peerframe/cli';
import { ControlClient, ControlError, readFrameMarker } from '@peerframe/client-sdk';
import {
  createSession,
  NodeWhepViewer,
  NodeWhipPublisher,
  runFrameProbe,
  type SessionStats,
} from '@peerframe/client-sdk/node';
import {
  GatewayPayments,
  GatewayServer,
  MediasoupSfu,
  type StreamPayment,
} from '@peerframe/gateway';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import {
  getRoundInfo,
  getSenderInfo,
  getWinningTicketRedemptions,
  type StoredWinningTicket,
} from '@peerframe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodedMedianPeak, expectGainedTone } from '../helpers/decodedMedianPeak.ts';
import { EngineWhipClient } from '../helpers/EngineWhipClient.ts';
import { GstWhipPublisher } from '../helpers/GstWhipPublisher.ts';
import { bareOffer, expectFramesBack } from '../helpers/inProcessStack.ts';
import { type PaidChain, startPaidChain } from '../helpers/paidOrchestrator.ts';
import { pushMovingBar } from '../helpers/pushMovingBar.ts';
import { RtpWhepViewer } from '../helpers/RtpWhepViewer.ts';
import { startSyntheticTrack } from '../helpers/syntheticTrack.ts';
import { until } from '../helpers/until.ts';

const adminToken = 'many-gateways-admin-token';
const mediasoup = await MediasoupSfu.isAvailable();

/** The params each pipeline of an orchestrator's sessions runs with. */
function runningParams(orchestrator: OrchestratorServer): Record<string, unknown>[] {
  return [...orchestrator.sessions.values()].map(
    (session) =>
      (session.pipeline as unknown as { params?: Record<string, unknown> } | undefined)?.params ??
      {},
  );
}

/** `POST /admin/stream-keys` answered: the key, or the refusal. */
type KeyAnswer = { key?: string; id?: string; error?: { code: string; message: string } };

async function makeKey(gatewayUrl: string): Promise<{ status: number; body: KeyAnswer }> {
  const res = await fetch(`${gatewayUrl}/admin/stream-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'shared', maxStreams: 2 }),
  });
  return { status: res.status, body: (await res.json()) as KeyAnswer };
}

/** A publisher on `gateway` with `streamKey`. */
function publish(
  gateway: GatewayServer,
  streamKey: string,
  options: { pipeline?: string; params?: Record<string, unknown> } = {},
): Promise<NodeWhipPublisher> {
  return NodeWhipPublisher.connect({
    whipUrl: gateway.whipUrl,
    pipeline: options.pipeline ?? 'passthrough',
    ...(options.params ? { params: options.params } : {}),
    token: streamKey,
  });
}

/** A WHIP POST whose peer never connects: the status and error code it is answered with. */
async function bareWhip(
  gateway: GatewayServer,
  streamKey: string,
): Promise<{ status: number; error: { code: string; message: string } | undefined }> {
  const res = await fetch(`${gateway.whipUrl}?pipeline=passthrough`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${streamKey}` },
    body: await bareOffer('sendrecv'),
  });
  const body = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string };
  };
  return { status: res.status, error: body.error };
}

/**
 * A series of gateway's `/metrics` (`name{label="value",…}` as Prometheus writes it): its value,
 * 0 when absent.
 */
async function metricOf(gateway: GatewayServer, series: string): Promise<number> {
  const res = await fetch(`${gateway.url}/metrics`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The frame numbers a viewer decoded, and how many of them were inverted. */
function watch(viewer: NodeWhepViewer): { numbers: Set<number>; inverted: number } {
  const seen = { numbers: new Set<number>(), inverted: 0 };
  viewer.on('frame', (frame) => {
    const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
    if (!marker) return;
    seen.numbers.add(marker.frameNumber);
    if (marker.inverted) seen.inverted++;
  });
  return seen;
}

/**
 * Every stream of this file pays in tickets on a real chain: 2 tickets a second of EV 1e12 wei,
 * each winning with probability 1/4 (face value 4e12), so winners come from both gateways.
 */
const priceWeiPerSecond = 2_000_000_000_000n;
const ticketParams = {
  expectedValueWei: 1_000_000_000_000n,
  redeemGas: 1n,
  faceValueMultiplier: 1n,
  minFaceValueWei: 4_000_000_000_000n,
};

/** What the orchestrator saw of the payments, over the whole file. */
type PaymentLedger = {
  /**
   * Why tickets were refused, but for `params_retired` (a winner retired the params a payment
   * was signed with, before the gateway could know: it pays the same again with new ones).
   */
  refused: string[];
  /** Sessions it stopped for lack of credit. */
  outOfCredit: string[];
  redemptionsFailed: StoredWinningTicket[];
};

// Issue 19, item 3: two gateway processes' worth of state (keys, streams, playback ids, the
// control channel) shared through one real redis-server; one orchestrator serves both, paid by
// both in tickets from one sender's TicketBroker deposit on anvil (as `peerframe dev --gateways 2`
// runs them: one key, each gateway its own GatewayPayments).
describe('two gateways sharing Redis', () => {
  let redis: RedisServer;
  let chain: PaidChain;
  let orchestrator: OrchestratorServer;
  let a: GatewayServer;
  let b: GatewayServer;
  let fundsAtStartWei: bigint;
  const ledger: PaymentLedger = { refused: [], outOfCredit: [], redemptionsFailed: [] };
  const paidGateway = async () =>
    GatewayServer.create({
      adminToken,
      redisUrl: redis.url,
      orchestrators: [orchestrator.url],
      payments: await GatewayPayments.create({
        rpcUrl: chain.protocol.rpcUrl,
        controller: chain.protocol.addresses.controller,
        privateKey: chain.senderKey,
      }),
    });
  const senderFunds = async () => {
    const info = await getSenderInfo(chain.protocol.publicClient, {
      addresses: chain.protocol.addresses,
      sender: chain.senderAccount.address,
    });
    return info.depositWei + info.reserveWei;
  };
  /**
   * A third gateway on the mediasoup backend sharing the Redis, for one test's viewers (the relay
   * on that backend); undefined where no mediasoup worker is present. The test closes it, which
   * withdraws it from Redis at once: the drain test below moves A's publisher to "another
   * gateway", which must be B.
   */
  const mediasoupGateway = async () =>
    mediasoup
      ? GatewayServer.create({
          adminToken,
          redisUrl: redis.url,
          orchestrators: [orchestrator.url],
          sfu: await MediasoupSfu.create(),
        })
      : undefined;
  beforeAll(async () => {
    // Persisted in its temporary directory, so the outage test's restart keeps the keys.
    redis = await startRedisServer({ persist: true });
    chain = await startPaidChain();
    fundsAtStartWei = await senderFunds();
    // The file's winners (40-odd, one block each) can cross the 50-block round: the orchestrator
    // initialises the next, or the redemptions after it would wait for good.
    orchestrator = await chain.startOrchestrator({
      priceWeiPerSecond,
      ticketParams,
      rounds: { initializeRounds: true, intervalMs: 1_000 },
    });
    const payments = orchestrator.payments;
    if (!payments) throw new Error('the orchestrator takes no payments');
    const { recipient } = payments;
    const receiveTickets = recipient.receiveTickets.bind(recipient);
    recipient.receiveTickets = async (sessionId, tickets) => {
      const result = await receiveTickets(sessionId, tickets);
      for (const r of result.results)
        if (!r.ok && r.reason !== 'params_retired') ledger.refused.push(r.reason);
      return result;
    };
    payments.on('balance-exhausted', ({ sessionId }) => ledger.outOfCredit.push(sessionId));
    payments.redemptionQueue.on('failed', (ticket) => ledger.redemptionsFailed.push(ticket));
    a = await paidGateway();
    b = await paidGateway();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await orchestrator?.close();
    await chain?.close();
    await redis?.close();
  });

  it('takes a key made on A on B, and lets a control client on B change a stream on A', async () => {
    const made = await makeKey(a.url);
    expect(made.status).toBe(201);
    const streamKey = made.body.key as string;
    const listedOnB = (await (
      await fetch(`${b.url}/admin/stream-keys`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json()) as { streamKeys: { id: string }[] };
    expect(listedOnB.streamKeys.map((k) => k.id)).toContain(made.body.id);

    // Published on B with A's key: the video comes back.
    const onB = await publish(b, streamKey);
    const onA = await publish(a, streamKey, {
      pipeline: 'color-grade',
      params: { saturation: 0.25 },
    });
    try {
      await expectFramesBack(onB, { inverted: false });
      await expectFramesBack(onA, { inverted: false });
      expect(b.streams.has(onB.streamId)).toBe(true);
      // The key's two streams are on two gateways: a third is refused on either.
      expect(await bareWhip(b, streamKey)).toMatchObject({
        status: 429,
        error: { code: 'too_many_streams' },
      });

      // A control client on B, for the stream A holds.
      expect(b.streams.has(onA.streamId)).toBe(false);
      const control = await ControlClient.connect({
        gatewayUrl: b.url,
        streamId: onA.streamId,
        streamKey,
      });
      try {
        expect(control.state).toBe('live');
        const stats: unknown[] = [];
        control.on('stats', (event) => stats.push(event));
        await control.update({ contrast: 1.5 });
        expect(runningParams(orchestrator)).toContainEqual(
          expect.objectContaining({ saturation: 0.25, contrast: 1.5 }),
        );
        // A's per-second stats reach the client on B through the shared adapter.
        await expectFramesBack(onA, { inverted: false });
        await expect.poll(() => stats.length, { timeout: 5_000 }).toBeGreaterThan(0);
        // Refusals come back from A with their code.
        const refused = await control.update({ contrast: 'much' }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(ControlError);
        // Another key may not drive it, on B either.
        const other = (await makeKey(a.url)).body.key as string;
        const stranger = await ControlClient.connect({
          gatewayUrl: b.url,
          streamId: onA.streamId,
          streamKey: other,
        }).catch((e: unknown) => e);
        expect((stranger as ControlError).code).toBe('forbidden');
      } finally {
        control.close();
      }
      // Revoked on B: its streams end on both gateways.
      const revoked = await fetch(`${b.url}/admin/stream-keys/${made.body.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(revoked.status).toBe(200);
      await expect.poll(() => a.streams.has(onA.streamId), { timeout: 5_000 }).toBe(false);
      expect(b.streams.has(onB.streamId)).toBe(false);
    } finally {
      await onB.close();
      await onA.close();
    }
  });

  it('keeps live streams flowing through a Redis outage, answers 503 meanwhile, and recovers', async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const live = await publish(a, streamKey);
    try {
      await expectFramesBack(live, { inverted: false });
      const control = await ControlClient.connect({
        gatewayUrl: a.url,
        streamId: live.streamId,
        streamKey,
      });
      // /metrics shows each gateway's Redis connections up, and times its calls.
      for (const client of ['state', 'control_publish', 'control_subscribe'])
        expect(await metricOf(b, `peerframe_gateway_redis_up{client="${client}"}`)).toBe(1);
      expect(
        await metricOf(
          a,
          'peerframe_gateway_redis_command_duration_seconds_count{operation="createKey"}',
        ),
      ).toBeGreaterThan(0);
      const keyErrors = 'peerframe_gateway_redis_command_errors_total{operation="createKey"}';
      const keyErrorsBefore = await metricOf(b, keyErrors);
      await redis.stop();

      // Live media never waits on Redis, nor do the events of A's own control clients.
      let stats = 0;
      control.on('stats', () => stats++);
      await expectFramesBack(live, { inverted: false, durationMs: 2_000 });
      control.close();
      expect(stats).toBeGreaterThan(0);
      // New keys and new streams: a clear 503.
      const key = await makeKey(b.url);
      expect(key.status).toBe(503);
      expect(key.body.error?.code).toBe('shared_state_unavailable');
      expect(await bareWhip(b, streamKey)).toMatchObject({
        status: 503,
        error: { code: 'shared_state_unavailable', message: expect.stringContaining('Redis') },
      });
      // What an operator sees of it: the connections down, the failed calls, and A's stats
      // broadcasts to other gateways lost.
      await expect
        .poll(() => metricOf(b, 'peerframe_gateway_redis_up{client="state"}'), { timeout: 5_000 })
        .toBe(0);
      expect(await metricOf(b, keyErrors)).toBe(keyErrorsBefore + 1);
      expect(
        await metricOf(b, 'peerframe_gateway_redis_disconnects_total{client="state"}'),
      ).toBeGreaterThan(0);
      expect(await metricOf(a, 'peerframe_gateway_redis_broadcasts_lost_total')).toBeGreaterThan(0);

      await redis.restart();
      // Back: keys are made again, and the key made before the outage publishes on B.
      await expect.poll(async () => (await makeKey(b.url)).status, { timeout: 10_000 }).toBe(201);
      for (const client of ['state', 'control_publish', 'control_subscribe'])
        await expect
          .poll(() => metricOf(b, `peerframe_gateway_redis_up{client="${client}"}`), {
            timeout: 10_000,
          })
          .toBe(1);
      const after = await publish(b, streamKey);
      try {
        await expectFramesBack(after, { inverted: false });
      } finally {
        await after.close();
      }
      // The stream that lived through it is still live, and still answers.
      expect(a.streams.has(live.streamId)).toBe(true);
      await expectFramesBack(live, { inverted: false });
    } finally {
      await live.close();
    }
  });

  it('plays on B, through one gateway-to-gateway relay, a stream published on A', async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const publisher = await publish(a, streamKey, { pipeline: 'invert' });
    const viewers: NodeWhepViewer[] = [];
    try {
      const path = new URL(publisher.playbackUrl as string).pathname;
      const sourcePath = new URL(publisher.sourcePlaybackUrl as string).pathname;
      for (let i = 0; i < 2; i++)
        viewers.push(await NodeWhepViewer.connect({ whepUrl: new URL(path, b.url).href }));
      viewers.push(await NodeWhepViewer.connect({ whepUrl: new URL(sourcePath, b.url).href }));
      const seen = viewers.map(watch);
      // A serves B's three viewers with one leg per playback id.
      const stream = a.streams.get(publisher.streamId);
      expect(stream?.stats().viewers).toBe(2);
      expect(b.streams.size).toBe(0);

      const result = await runFrameProbe(publisher, {
        widthPx: 256,
        heightPx: 192,
        durationMs: 3_000,
        expectLuma: (y) => 251 - y,
      });
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.85);
      const measured = result.samples.map(([n]) => n);
      for (const [i, viewer] of seen.entries()) {
        const got = measured.filter((n) => viewer.numbers.has(n)).length;
        expect(got / measured.length).toBeGreaterThanOrEqual(0.8);
        // Processed (inverted) for the public id, the publisher's own for the source id.
        if (i < 2) expect(viewer.inverted).toBeGreaterThan(0);
        else expect(viewer.inverted).toBe(0);
      }
      // An id no gateway plays: 404 on B too.
      const unknown = await fetch(new URL('/whep/no-such-stream', b.url), {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      expect(unknown.status).toBe(404);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await publisher.close();
    }
  });

  it('plays an H.264 stream published on A on B (and on a mediasoup C): the codec negotiated on every leg, never decoded in between', async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const c = await mediasoupGateway();
    // GStreamer's x264enc publishing, libx264 on the orchestrator, FFmpeg decoding on the viewers.
    const publisher = await GstWhipPublisher.connect({
      whipUrl: a.whipUrl,
      pipeline: 'invert',
      widthPx: 256,
      heightPx: 192,
      codec: 'h264',
      token: streamKey,
    });
    const viewers: EngineWhipClient[] = [];
    try {
      const stream = a.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream on A');
      expect(stream.codec?.name).toBe('H264');
      const probe = runFrameProbe(publisher, {
        widthPx: 256,
        heightPx: 192,
        durationMs: 3_000,
        expectLuma: (y) => 251 - y,
      });
      const whepOn = (gateway: GatewayServer) =>
        new URL(`/whep/${stream.playbackId}`, gateway.url).href;
      // The inverted frames (by their markers) each viewer decoded: on B, and on C where present.
      // Both join at once: a viewer's set-up (its media thread, C's relay) must not delay the
      // other's. C's viewer (mediasoup) gets no packet before a keyframe: one asked for as it
      // connects must reach the orchestrator (A once dropped it, and mediasoup asked again 1 s on).
      const inverted: Set<number>[] = [];
      const joined = await Promise.allSettled(
        (c ? [b, c] : [b]).map(async (gateway) => {
          const viewer = await EngineWhipClient.connect({
            whepUrl: whepOn(gateway),
            codec: 'H264',
          });
          const numbers = new Set<number>();
          inverted.push(numbers);
          viewer.on('frame', (frame) => {
            const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
            if (marker?.inverted) numbers.add(marker.frameNumber);
          });
          return viewer;
        }),
      );
      for (const outcome of joined) if (outcome.status === 'fulfilled') viewers.push(outcome.value);
      for (const outcome of joined) if (outcome.status === 'rejected') throw outcome.reason;
      const result = await probe;
      expect(result.framesReturned).toBeGreaterThan(30);
      // Each viewer decoded the H.264 the orchestrator encoded: the frames the publisher got
      // back, inverted, markers readable.
      const measured = result.samples.map(([n]) => n);
      for (const numbers of inverted) {
        const got = measured.filter((n) => numbers.has(n)).length;
        expect(got / measured.length).toBeGreaterThanOrEqual(0.8);
      }
      for (const viewer of viewers) expect((await viewer.stats())?.codec).toBe('H264');
      // A serves each other gateway with one relay leg; B holds no stream and transcodes
      // nothing: a VP8-only viewer (libwebrtc through wrtc) is refused on B as it would be on A.
      expect(stream.stats().viewers).toBe(c ? 2 : 1);
      expect(b.streams.size).toBe(0);
      await expect(NodeWhepViewer.connect({ whepUrl: whepOn(b) })).rejects.toMatchObject({
        status: 400,
        code: 'unsupported_codec',
      });
    } finally {
      await Promise.all(viewers.map((viewer) => viewer.close()));
      await c?.close();
      await publisher.close();
    }
  });

  it("relays the publisher's audio to a WHEP viewer on B, beside the video (and on a mediasoup C)", async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const c = await mediasoupGateway();
    const publisher = await GstWhipPublisher.connect({
      whipUrl: a.whipUrl,
      pipeline: 'invert',
      widthPx: 320,
      heightPx: 240,
      codec: 'vp8',
      audio: 'tone',
      token: streamKey,
    });
    const stopBar = pushMovingBar(publisher, 320, 240);
    let viewer: RtpWhepViewer | undefined;
    let viewerOnC: RtpWhepViewer | undefined;
    try {
      const stream = a.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream on A');
      expect(stream.audioCodec?.name).toBe('opus');
      viewer = await RtpWhepViewer.connect(new URL(`/whep/${stream.playbackId}`, b.url).href, {
        keepAudioPayloads: true,
      });
      if (c) {
        viewerOnC = await RtpWhepViewer.connect(new URL(`/whep/${stream.playbackId}`, c.url).href, {
          keepAudioPayloads: true,
        });
      }
      const got = viewer;
      expect(got.answerSdp).toMatch(/^m=audio [1-9]\d* /m);
      expect(b.streams.size).toBe(0);
      // 3 s of both: Opus at 10 or 20 ms a packet, video ~30 frames a second.
      await until(
        () =>
          got.audio.packets.length >= 150 &&
          got.video.packets.length >= 60 &&
          got.audio.reports.length > 0,
        20_000,
        () =>
          `audio and video on B (${got.audio.packets.length} audio, ${got.video.packets.length} video packets, ${got.audio.reports.length} audio reports)`,
      );
      // The publisher's tone (0.3 of full scale: peaks ~9 800), not silence or noise.
      const peak = await decodedMedianPeak(got.audio.packets, 50);
      expect(peak).toBeGreaterThan(6_000);
      expect(peak).toBeLessThan(13_000);
      // B's audio reports map each packet to when it left B, as its video reports do (a map
      // seconds off would throw a receiver's lip sync out): the last one's packet is placed near
      // its arrival.
      const report = got.audio.reports.at(-1);
      const last = got.audio.packets.at(-1);
      if (!report || !last) throw new Error('no audio report');
      const mappedMs = report.ntpMs + ((last.timestamp - report.rtpTimestamp) | 0) / 48;
      expect(Math.abs(mappedMs - last.arrivedAtMs)).toBeLessThan(250);
      // C (mediasoup) relays both too: its relay leg and its viewer's are mediasoup legs, the
      // video forwarded inside its worker, the Opus through JavaScript.
      if (viewerOnC) {
        const onC = viewerOnC;
        await until(
          () => onC.audio.packets.length >= 150 && onC.video.packets.length >= 60,
          20_000,
          () =>
            `audio and video on C (${onC.audio.packets.length} audio, ${onC.video.packets.length} video packets)`,
        );
        const peakOnC = await decodedMedianPeak(onC.audio.packets, 50);
        expect(peakOnC).toBeGreaterThan(6_000);
        expect(peakOnC).toBeLessThan(13_000);
      }
      // A serves each other gateway's viewer with one relay leg.
      expect(stream.stats().viewers).toBe(c ? 2 : 1);
    } finally {
      await viewer?.close();
      await viewerOnC?.close();
      await c?.close();
      await stopBar.close();
      await publisher.close();
    }
  });

  it("plays an audio-only stream published on A on B (and on a mediasoup C): the pipeline's sound, relayed", async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const c = await mediasoupGateway();
    const gainParams = encodeURIComponent(JSON.stringify({ gainDb: -12 }));
    const publisher = await GstWhipPublisher.connect({
      whipUrl: `${a.whipUrl}?params=${gainParams}`,
      pipeline: 'gain',
      widthPx: 16,
      heightPx: 16,
      codec: 'none',
      audio: 'tone',
      token: streamKey,
    });
    const viewers: RtpWhepViewer[] = [];
    try {
      const stream = a.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream on A');
      expect(stream.codec).toBeUndefined();
      // The gain pipeline's sound (not the original's) on B, and on C (mediasoup) where present.
      for (const gateway of c ? [b, c] : [b]) {
        const viewer = await RtpWhepViewer.connect(
          new URL(`/whep/${stream.playbackId}`, gateway.url).href,
          { audioOnly: true, keepAudioPayloads: true },
        );
        viewers.push(viewer);
      }
      for (const [i, got] of viewers.entries()) {
        await until(
          () => got.audio.packets.length >= 100,
          20_000,
          () => `audio on ${i === 0 ? 'B' : 'C'} (${got.audio.packets.length} packets)`,
        );
        expectGainedTone(await decodedMedianPeak(got.audio.packets, 25));
        expect(got.video.packets.length).toBe(0);
      }
    } finally {
      await Promise.all(viewers.map((viewer) => viewer.close()));
      if (c) {
        expect(await a.state.otherGateways(a.url)).toContain(c.url);
        // Closed (not drained): withdrawn from the others' list at once, not when it expires.
        await c.close();
        expect(await a.state.otherGateways(a.url)).not.toContain(c.url);
      }
      await publisher.close();
    }
  });

  // Last: A is gone after it.
  it('moves an SDK publisher from a draining A (SIGTERM) to B, and no payment is lost', async () => {
    const streamKey = (await makeKey(a.url)).body.key as string;
    const { publicClient, addresses } = chain.protocol;
    const session = await createSession({ gatewayUrl: a.url, pipeline: 'invert', streamKey });
    const { track, stop: stopTrack } = startSyntheticTrack(320, 240);
    const stats: SessionStats[] = [];
    session.on('stats', (s) => stats.push(s));
    try {
      await session.publish(track);
      await expect.poll(() => session.state, { timeout: 10_000 }).toBe('live');
      expect(a.streams.size).toBe(1);
      const [onA] = a.streams.values();
      if (!onA) throw new Error('no stream on A');
      const paidByA: StreamPayment[] = [];
      onA.on('payment', (payment) => paidByA.push(payment));
      await expect.poll(() => paidByA.length, { timeout: 10_000 }).toBeGreaterThan(0);
      // The orchestrator session A pays.
      const sessionsOfA = [...orchestrator.sessions.keys()];
      expect(sessionsOfA).toHaveLength(1);

      // What SIGTERM runs; the stream leaves long before the grace ends.
      const graceMs = 20_000;
      const startedAt = performance.now();
      await a.drain(graceMs);
      expect(performance.now() - startedAt).toBeLessThan(graceMs / 2);
      expect(a.streams.size).toBe(0);
      await expect.poll(() => b.streams.size, { timeout: 10_000 }).toBe(1);
      expect(session.reconnectReason).toBe('the gateway is draining');
      await expect.poll(() => session.state, { timeout: 10_000 }).toBe('live');
      // Processed video comes back through B, whose stream the stats now name.
      const [onB] = b.streams.values();
      if (!onB) throw new Error('no stream on B');
      const paidByB: StreamPayment[] = [];
      onB.on('payment', (payment) => paidByB.push(payment));
      // The round ends while B pays (nobody has initialised the next yet): its tickets keep
      // naming the last initialised round, and the winners redeem once the orchestrator
      // initialises the new one.
      const { round, startBlock, lengthBlocks } = await getRoundInfo(publicClient, { addresses });
      const block = await publicClient.getBlockNumber({ cacheTime: 0 });
      await chain.protocol.testClient.mine({ blocks: Number(startBlock + lengthBlocks - block) });
      await expect
        .poll(() => stats.some((s) => s.streamId === onB.id && (s.fpsReceived ?? 0) > 5), {
          timeout: 10_000,
        })
        .toBe(true);

      // A paid its session ahead to the end, and ended it: the orchestrator does not wait for
      // credit that will never come (it would stop it after the grace, and count it unpaid).
      expect(paidByA.at(-1)?.balanceWei).toBeGreaterThan(0n);
      for (const id of sessionsOfA) expect(orchestrator.sessions.has(id)).toBe(false);
      // B pays the new session every second, ahead of its use, with the same sender's deposit.
      await expect.poll(() => paidByB.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
      for (const payment of paidByB) expect(payment.balanceWei).toBeGreaterThan(0n);
      await expect
        .poll(() => getRoundInfo(publicClient, { addresses }), { timeout: 10_000 })
        .toMatchObject({ round: round + 1n, initialized: true });
      expect(orchestrator.sessions.size).toBe(1);
    } finally {
      await session.close();
      stopTrack();
    }

    // Over the whole file, both gateways: every ticket credited, no session out of credit…
    expect(ledger.refused).toEqual([]);
    expect(ledger.outOfCredit).toEqual([]);
    // …and every winner (A's, from before the SIGTERM, too) redeemed on chain, each once.
    const queue = orchestrator.payments?.redemptionQueue;
    if (!queue) throw new Error('no redemption queue');
    await expect
      .poll(
        () => {
          const counts = queue.store.counts();
          return counts.pending + counts.submitted;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(0);
    expect(ledger.redemptionsFailed).toEqual([]);
    const redeemed = queue.store.list('redeemed');
    expect(redeemed.length).toBeGreaterThan(0);
    const events = await getWinningTicketRedemptions(chain.protocol.publicClient, {
      addresses: chain.protocol.addresses,
      sender: chain.senderAccount.address,
    });
    expect(events).toHaveLength(redeemed.length);
    const tickets = new Set(events.map((e) => `${e.recipientRand}:${e.senderNonce}`));
    expect(tickets.size).toBe(events.length);
    // The deposit paid exactly the winners' face values: nothing twice, nothing else.
    const faceValuesWei = events.reduce((sum, e) => sum + e.faceValueWei, 0n);
    expect(fundsAtStartWei - (await senderFunds())).toBe(faceValuesWei);
  });
});
