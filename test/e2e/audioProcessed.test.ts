/**
 * Audio through the orchestrator: when the stream's pipeline processes audio, the gateway offers
 * Opus on the orchestrator leg and forwards the publisher's to it, and the processed audio (not
 * the original) goes back to the publisher. GStreamer publishes a 440 Hz tone (0.3 of full
 * scale, peaks ~9 800) with VP8; the pipeline lowers it by 12 dB (peaks ~2 460). A video-only
 * pipeline on the same gateway returns the tone as it was.
 */
import { GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audioAfterMove } from '../helpers/audioAfterMove.ts';
import { GstWhipPublisher, medianPeak, type ReturnedAudio } from '../helpers/GstWhipPublisher.ts';
import { invertQuietRegistry as registry } from '../helpers/invertQuietRegistry.ts';
import { pushMovingBar } from '../helpers/pushMovingBar.ts';
import { until } from '../helpers/until.ts';

describe('audio processed by the orchestrator', () => {
  let orchestrator: OrchestratorServer;
  let gateway: GatewayServer;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create({ registry: registry() });
    gateway = await GatewayServer.create({ orchestrators: [orchestrator.url] });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });
  afterAll(async () => {
    await gateway?.close();
    await orchestrator?.close();
  });

  /** Publishes tone + VP8; resolves once `buffers` of audio came back (all kept, growing). */
  async function publish(
    pipeline: string,
    to: GatewayServer = gateway,
    buffers = 150,
  ): Promise<ReturnedAudio[]> {
    const publisher = await GstWhipPublisher.connect({
      whipUrl: `${to.url}/whip`,
      pipeline,
      widthPx: 320,
      heightPx: 240,
      codec: 'vp8',
      audio: 'tone',
    });
    open.push(publisher);
    open.push(pushMovingBar(publisher, 320, 240));
    const returned: ReturnedAudio[] = [];
    publisher.on('audio', (audio) => returned.push(audio));
    await until(
      () => returned.length >= buffers,
      20_000,
      () => `publisher audio back (${returned.length} buffers)`,
    );
    return returned;
  }

  it('returns the pipeline’s audio to the publisher instead of the original', async () => {
    const returned = await publish('invert-quiet');
    const peak = medianPeak(returned, 50);
    // 9 800 × 10^(−12/20) ≈ 2 460, through two Opus generations.
    expect(peak).toBeGreaterThan(1_800);
    expect(peak).toBeLessThan(3_300);
    expect(orchestrator.sessions.size).toBe(1);
  });

  it('keeps the processed audio going across a failover: the new orchestrator’s replaces the old', async () => {
    // Two of its own, so no session of an earlier test is counted.
    const first = await OrchestratorServer.create({ registry: registry() });
    const second = await OrchestratorServer.create({ registry: registry() });
    const both = await GatewayServer.create({ orchestrators: [first.url, second.url] });
    try {
      const returned = await publish('invert-quiet', both, 100);
      const [serving, standby] = first.sessions.size > 0 ? [first, second] : [second, first];
      // The serving orchestrator ends the session on its side: the gateway moves the stream.
      const closedAt = returned.length;
      for (const session of serving.sessions.values()) await session.close();
      const movedAt = await audioAfterMove(standby, returned, 150);
      const peak = medianPeak(returned, movedAt + 50);
      expect(peak).toBeGreaterThan(1_800);
      expect(peak).toBeLessThan(3_300);
      // Never the publisher's own voice while the stream moved (the tone unprocessed peaks at
      // ~9 800): a voice effect is not dropped for a moment, the sound pauses instead.
      const loudest = Math.max(...returned.slice(closedAt).map((a) => a.peak));
      expect(loudest).toBeLessThan(6_000);
    } finally {
      await Promise.all(open.splice(0).map((o) => o.close()));
      await both.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('relays the original for a video-only pipeline, as before', async () => {
    const returned = await publish('invert');
    expect(medianPeak(returned, 50)).toBeGreaterThan(7_000);
  });
});
