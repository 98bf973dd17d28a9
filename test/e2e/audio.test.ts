import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { createWeriftPeer } from '@peerframe/core/werift';
import type { StreamAudioStats } from '@peerframe/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GstWhipPublisher, type ReturnedAudio } from '../helpers/GstWhipPublisher.ts';
import { pushMovingBar } from '../helpers/pushMovingBar.ts';
import { RtpWhepViewer, type ViewerPacket, viewerH264 } from '../helpers/RtpWhepViewer.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const opus = (fmtp = ''): AudioCodecChoice => ({
  name: 'opus',
  payloadType: 111,
  clockRate: 48_000,
  channels: 2,
  fmtp,
});

/** A werift offer (never connected) with the sections asked for. */
async function offer(sections: { video: boolean; audioFmtp?: string }): Promise<string> {
  const pc = createWeriftPeer({ audioCodec: opus(sections.audioFmtp ?? '') });
  if (sections.video) pc.addTransceiver('video', { direction: 'sendrecv' });
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription?.sdp ?? '';
  await pc.close();
  return sdp;
}

async function post(url: string, sdp: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: sdp,
  });
  const text = await response.text();
  return { status: response.status, text, location: response.headers.get('location') };
}

/** The longest time between two packets that arrived in [fromMs, toMs] (epoch ms). */
function longestGapMs(packets: readonly ViewerPacket[], fromMs: number, toMs: number): number {
  const times = [
    fromMs,
    ...packets
      .map((p) => p.arrivedAtMs)
      .filter((t) => t >= fromMs && t <= toMs)
      .sort((a, b) => a - b),
    toMs,
  ];
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return gap;
}

function waitFor(
  check: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (performance.now() - started > timeoutMs)
        return reject(new Error(`timed out: ${typeof what === 'string' ? what : what()}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/**
 * The delay line held steady: it re-aligned only when the video's lag became known and when its
 * timing moved from arrivals to sender reports, and dropped few packets besides GStreamer's
 * backlog (audio it queued while connecting, flushed in bursts: counted as stale).
 */
function expectSteadyDelay(audio: StreamAudioStats | undefined): void {
  if (!audio) throw new Error('no audio stats');
  expect(audio.packetsDropped).toBeLessThan(audio.packetsFromPublisher * 0.05);
  expect(audio.realignments).toBeLessThanOrEqual(3);
  // The lag is measured, and is no seconds-off figure from a bad clock mapping.
  expect(Math.abs(audio.videoLagMs ?? Number.NaN)).toBeLessThan(1_000);
}

describe('audio through the gateway (Opus relayed beside the processed video)', () => {
  let stack: TestStack;
  const open: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    stack = await startStack();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const codec of ['h264', 'vp8'] as ('vp8' | 'h264')[]) {
    it(`GStreamer publishes Opus + ${codec.toUpperCase()}: a WHEP viewer gets both tracks, the publisher its audio back`, async () => {
      const publisher = await GstWhipPublisher.connect({
        whipUrl: stack.whipUrl,
        pipeline: 'invert',
        widthPx: 320,
        heightPx: 240,
        codec,
        audio: 'tone',
      });
      open.push(publisher);
      open.push(pushMovingBar(publisher, 320, 240));
      const returned: ReturnedAudio[] = [];
      publisher.on('audio', (audio) => returned.push(audio));
      const stream = (await stack.streams()).find((s) => s.id === publisher.streamId);
      if (!stream) throw new Error('no stream on the gateway');
      expect(stream.codec).toBe(codec === 'vp8' ? 'VP8' : 'H264');
      expect(stream.audio?.codec).toBe('opus');
      const viewer = await RtpWhepViewer.connect(
        `${new URL(stack.whipUrl).origin}/whep/${stream.playbackId}`,
        codec === 'h264' ? { codec: viewerH264 } : {},
      );
      open.push(viewer);
      expect(viewer.answerSdp).toMatch(/^m=audio [1-9]\d* /m);
      // 3 s of both: Opus at 10 ms packets is ~100 a second, video ~30 frames.
      await waitFor(
        () => viewer.audio.packets.length >= 200 && viewer.video.packets.length >= 60,
        15_000,
        () =>
          `viewer audio and video (${viewer.audio.packets.length} audio, ${viewer.video.packets.length} video packets)`,
      );
      const frames = viewer.video.packets.filter((p) => p.marker).length;
      expect(frames).toBeGreaterThan(10);
      // The publisher decoded its own tone back (volume 0.3 of full scale: peak ~9 800).
      await waitFor(() => returned.some((a) => a.peak > 5_000), 10_000, 'publisher audio back');
      const stats = (await stack.streams()).find((s) => s.id === publisher.streamId);
      expect(stats?.audio?.packetsFromPublisher).toBeGreaterThan(100);
      expect(stats?.audio?.packetsDelayed).toBeGreaterThan(100);
      console.info(`audio ${codec}`, stats?.audio);
      expectSteadyDelay(stats?.audio);
    });
  }

  it('answers a video-only offer with video only, as before', async () => {
    const pc = createWeriftPeer();
    pc.addTransceiver('video', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await post(`${stack.whipUrl}?pipeline=invert`, pc.localDescription?.sdp ?? '');
    await pc.close();
    expect(answer.status).toBe(201);
    expect(answer.text).not.toMatch(/^m=audio/m);
    if (answer.location) await fetch(new URL(answer.location, stack.whipUrl), { method: 'DELETE' });
  });

  it('refuses audio without video for a video pipeline, and audio with no Opus, naming the problem', async () => {
    const audioOnly = await post(`${stack.whipUrl}?pipeline=invert`, await offer({ video: false }));
    expect(audioOnly.status).toBe(400);
    expect(JSON.parse(audioOnly.text).error).toMatchObject({ code: 'pipeline_media_unsupported' });
    expect(audioOnly.text).toMatch(/processes video, not audio, and the offer has audio only/);

    const pcmu = (await offer({ video: true }))
      .replace(/^(m=audio \d+ \S+) 111/m, '$1 0 9')
      .replace(/^a=rtpmap:111 opus\/48000\/2/m, 'a=rtpmap:0 PCMU/8000\r\na=rtpmap:9 G722/8000');
    const refused = await post(`${stack.whipUrl}?pipeline=invert`, pcmu);
    expect(refused.status).toBe(400);
    const { error } = JSON.parse(refused.text);
    expect(error.code).toBe('unsupported_codec');
    expect(error.message).toMatch(/PCMU\/8000, G722\/8000/);
    expect(error.message).toMatch(/Opus/);
    // Nothing was left behind on the orchestrator for refused offers.
    expect((await stack.streams()).length).toBe(0);
  });

  it('takes Opus stereo, in-band FEC and DTX, answering with the offered parameters', async () => {
    const fmtp = 'minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;usedtx=1';
    const answer = await post(
      `${stack.whipUrl}?pipeline=invert`,
      await offer({ video: true, audioFmtp: fmtp }),
    );
    expect(answer.status).toBe(201);
    expect(answer.text).toMatch(/^m=audio [1-9]\d* \S+ 111/m);
    expect(answer.text).toMatch(/^a=rtpmap:111 opus\/48000\/2/im);
    expect(answer.text).toMatch(/^a=fmtp:111 .*stereo=1/m);
    expect(answer.text).toMatch(/^a=fmtp:111 .*usedtx=1/m);
    if (answer.location) await fetch(new URL(answer.location, stack.whipUrl), { method: 'DELETE' });
  });
});

describe('audio across an orchestrator failover', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ orchestrators: 2 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps the audio flowing to viewers and the publisher while the video moves', async () => {
    const publisher = await GstWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
      widthPx: 320,
      heightPx: 240,
      codec: 'vp8',
      audio: 'tone',
    });
    let viewer: RtpWhepViewer | undefined;
    const frames = pushMovingBar(publisher, 320, 240);
    try {
      const returned: ReturnedAudio[] = [];
      publisher.on('audio', (audio) => returned.push(audio));
      const before = (await stack.streams()).find((s) => s.id === publisher.streamId);
      if (!before) throw new Error('no stream on the gateway');
      viewer = await RtpWhepViewer.connect(
        `${new URL(stack.whipUrl).origin}/whep/${before.playbackId}`,
      );
      const seen = viewer;
      await waitFor(() => seen.audio.packets.length >= 200, 15_000, 'audio before the failover');
      const serving = stack.nodes.find(
        (n) => n.role === 'orchestrator' && n.url === before.orchestrator,
      );
      if (!serving) throw new Error(`no node serves ${before.orchestrator}`);
      const killedAtMs = performance.timeOrigin + performance.now();
      process.kill(serving.pid, 'SIGKILL');
      await waitFor(
        () => seen.video.packets.some((p) => p.arrivedAtMs > killedAtMs + 1_000),
        15_000,
        'video from the new orchestrator',
      );
      const videoBack = seen.video.packets.find((p) => p.arrivedAtMs > killedAtMs + 50);
      const untilMs = (videoBack?.arrivedAtMs ?? killedAtMs) + 2_000;
      await waitFor(
        () => seen.audio.packets.some((p) => p.arrivedAtMs > untilMs),
        10_000,
        'audio after the failover',
      );
      const after = (await stack.streams()).find((s) => s.id === publisher.streamId);
      expect(after?.swaps).toBe(1);
      expect(after?.orchestrator).not.toBe(before.orchestrator);
      const videoGapMs = longestGapMs(seen.video.packets, killedAtMs - 500, untilMs);
      const audioGapMs = longestGapMs(seen.audio.packets, killedAtMs - 500, untilMs);
      console.info(
        `failover: video paused ${Math.round(videoGapMs)} ms, audio's longest gap ${Math.round(audioGapMs)} ms`,
        after?.audio,
      );
      // The video stopped while the stream moved; the audio, which never went through the
      // orchestrator, did not (its longest pause is a re-alignment to the new delay, if any).
      expect(videoGapMs).toBeGreaterThan(audioGapMs);
      expect(audioGapMs).toBeLessThan(250);
      expectSteadyDelay(after?.audio);
      const lastReturned = returned.at(-1)?.receivedAtMs ?? 0;
      expect(performance.timeOrigin + lastReturned).toBeGreaterThan(killedAtMs + 1_000);
    } finally {
      await frames.close();
      await viewer?.close();
      await publisher.close();
    }
  });
});
