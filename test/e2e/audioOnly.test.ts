/**
 * Audio-only streams: GStreamer publishes Opus alone (a 440 Hz tone at 0.3 of full scale, peaks
 * ~9 800) to the shipped `gain` pipeline at −12 dB (peaks ~2 460). The processed tone comes back
 * to the publisher and to a WHEP viewer, the gateway pays the orchestrator in tickets on a real
 * chain as it does for video, a failover keeps the processed audio going, and offers whose media
 * the pipeline does not process are refused naming the problem. One chain and two orchestrators
 * for the file, a gateway on each SFU backend (mediasoup where its worker is present).
 */

import { createWeriftPeer } from '@peerframe/core/werift';
import { MediasoupSfu, type StreamPayment } from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioAfterMove } from '../helpers/audioAfterMove.ts';
import { decodedMedianPeak, expectGainedTone, median } from '../helpers/decodedMedianPeak.ts';
import { GstWhipPublisher, type ReturnedAudio } from '../helpers/GstWhipPublisher.ts';
import { RtpWhepViewer } from '../helpers/RtpWhepViewer.ts';
import { type PaidNodes, startPaidNodes } from '../helpers/startPaidNodes.ts';
import { until } from '../helpers/until.ts';

const mediasoup = await MediasoupSfu.isAvailable();
const price = 100_000_000_000n; // wei per second (the helper's default)
const gainParams = encodeURIComponent(JSON.stringify({ gainDb: -12 }));

/** Median peak of the returned buffers from `from` on (skipping the start, before any delay). */
function medianPeak(returned: ReturnedAudio[], from: number): number {
  return median(returned.slice(from).map((a) => a.peak));
}

/** A werift offer sending Opus, with or without a video section. */
async function offer(video: boolean): Promise<string> {
  const pc = createWeriftPeer({
    audioCodec: { name: 'opus', payloadType: 111, clockRate: 48_000, channels: 2, fmtp: '' },
  });
  if (video) pc.addTransceiver('video', { direction: 'sendrecv' });
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription?.sdp ?? '';
  await pc.close();
  return sdp;
}

async function post(url: string, sdp: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: sdp,
  });
  return { status: res.status, text: await res.text() };
}

describe('audio-only streams (GStreamer Opus, gain pipeline, paid on anvil)', () => {
  let nodes: PaidNodes;
  let whipUrl: string;
  let gateway: Awaited<ReturnType<PaidNodes['startGateway']>>['gateway'];
  /** The same on the mediasoup backend (where its worker is present). */
  let mediasoupGateway: typeof gateway | undefined;
  let orchestrators: Awaited<ReturnType<PaidNodes['startOrchestrator']>>[];
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    nodes = await startPaidNodes();
    orchestrators = [
      await nodes.startOrchestrator({ priceWeiPerSecond: price }),
      await nodes.startOrchestrator({ priceWeiPerSecond: price }),
    ];
    ({ gateway } = await nodes.startGateway(orchestrators.map((o) => o.server.url)));
    if (mediasoup) {
      const sfu = await MediasoupSfu.create();
      ({ gateway: mediasoupGateway } = await nodes.startGateway(
        orchestrators.map((o) => o.server.url),
        {},
        { sfu },
      ));
    }
    whipUrl = `${gateway.url}/whip`;
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
    await nodes?.close();
  });

  it.for([
    { sfu: 'werift', skip: false },
    { sfu: 'mediasoup', skip: !mediasoup },
  ])(
    'returns the processed audio to the publisher and a viewer, pays every second, and keeps it going across a failover ($sfu)',
    async ({ sfu, skip }, context) => {
      if (skip) return context.skip();
      const served = sfu === 'mediasoup' ? mediasoupGateway : gateway;
      if (!served) throw new Error(`no ${sfu} gateway`);
      const gatewayUrl = served.url;
      const publisher = await GstWhipPublisher.connect({
        whipUrl: `${gatewayUrl}/whip?params=${gainParams}`,
        pipeline: 'gain',
        widthPx: 16,
        heightPx: 16,
        codec: 'none',
        audio: 'tone',
      });
      open.push(publisher);
      const returned: ReturnedAudio[] = [];
      publisher.on('audio', (audio) => returned.push(audio));
      const stream = served.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream');
      const payments: (StreamPayment & { totalSpentWei: bigint })[] = [];
      stream.on('payment', (payment) => payments.push(payment));
      expect(stream.codec).toBeUndefined();
      expect(stream.audioCodec?.name).toBe('opus');

      const viewer = await RtpWhepViewer.connect(`${gatewayUrl}/whep/${stream.playbackId}`, {
        audioOnly: true,
        keepAudioPayloads: true,
      });
      open.push(viewer);

      await until(
        () => returned.length >= 150 && viewer.audio.packets.length >= 100,
        20_000,
        () => `audio back (${returned.length} buffers, viewer ${viewer.audio.packets.length})`,
      );
      const peak = medianPeak(returned, 50);
      expectGainedTone(peak);
      const viewerPeak = await decodedMedianPeak(viewer.audio.packets, 25);
      expectGainedTone(viewerPeak);
      expect(viewer.video.packets.length).toBe(0);

      // Paid like video: the upfront payment, then every second, credited by the orchestrator.
      const [serving, standby] = orchestrators[0]?.server.sessions.size
        ? [orchestrators[0], orchestrators[1]]
        : [orchestrators[1], orchestrators[0]];
      if (!serving || !standby) throw new Error('two orchestrators');
      await until(
        () => payments.length >= 3,
        10_000,
        () => `payments (${payments.length})`,
      );
      const session = [...serving.server.sessions.values()][0];
      if (!session) throw new Error('no session');
      expect(session.state).toBe('live');
      const credited = serving.payments.balance(session.id);
      expect(credited).toBeGreaterThan(0n);
      const spent = payments.at(-1)?.totalSpentWei ?? 0n;
      // At least the seconds it ran at the price (upfront included), never less.
      expect(spent).toBeGreaterThanOrEqual(price * 2n);

      // The serving orchestrator ends the session: the stream moves, the processed audio goes on.
      await session.close();
      const movedAt = await audioAfterMove(standby.server, returned, 120);
      const afterPeak = medianPeak(returned, movedAt + 40);
      expectGainedTone(afterPeak);
      const moved = [...standby.server.sessions.values()][0];
      await until(
        () => moved !== undefined && standby.payments.balance(moved.id) > 0n,
        10_000,
        () => 'the new orchestrator paid',
      );
      expect(stream.stats().swaps).toBe(1);
      await Promise.all(open.splice(0).map((o) => o.close()));
    },
  );

  it('refuses audio alone for a video pipeline, and video for an audio-only pipeline, naming the problem', async () => {
    const audioOnly = await offer(false);
    const refused = await post(`${whipUrl}?pipeline=invert`, audioOnly);
    expect(refused.status).toBe(400);
    const { error } = JSON.parse(refused.text);
    expect(error.code).toBe('pipeline_media_unsupported');
    expect(error.message).toMatch(/invert pipeline processes video, not audio/);
    expect(error.message).toMatch(/audio only/);

    const withVideo = await offer(true);
    const refusedVideo = await post(`${whipUrl}?pipeline=gain`, withVideo);
    expect(refusedVideo.status).toBe(400);
    const video = JSON.parse(refusedVideo.text).error;
    expect(video.code).toBe('pipeline_media_unsupported');
    expect(video.message).toMatch(/gain pipeline processes audio, not video/);
    // Nothing was opened or paid for either.
    for (const { server } of orchestrators) expect(server.sessions.size).toBe(0);
  });
});
