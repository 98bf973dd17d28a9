import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsole,
  hasChromium,
  noChromiumMessage,
  serveStatic,
  waitFor,
} from '../helpers/browser.ts';
import { RtpWhepViewer, viewerH264 } from '../helpers/RtpWhepViewer.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';
import { launchChromiumWithTone } from '../helpers/writeToneWav.ts';

if (!hasChromium) console.warn(noChromiumMessage);

/** Publishes camera and microphone over WHIP, `codec` first in the video preferences. In the page. */
async function publish(args: { whipUrl: string; codec: string }): Promise<string> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const pc = new RTCPeerConnection();
  (window as unknown as { pc: RTCPeerConnection }).pc = pc;
  for (const track of stream.getTracks()) {
    const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
    if (track.kind !== 'video') continue;
    const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
    const first = codecs.filter((c) => c.mimeType === `video/${args.codec}`);
    transceiver.setCodecPreferences([...first, ...codecs.filter((c) => !first.includes(c))]);
  }
  // Played, so that Chromium decodes it (inbound audioLevel stays 0 for audio nobody plays).
  pc.ontrack = ({ track }) => {
    if (track.kind !== 'audio') return;
    const audio = document.createElement('audio');
    audio.srcObject = new MediaStream([track]);
    document.body.append(audio);
    void audio.play();
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  });
  const res = await fetch(`${args.whipUrl}?pipeline=invert`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription?.sdp ?? '',
  });
  if (res.status !== 201) throw new Error(`WHIP answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get('location') ?? '', args.whipUrl).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return location;
}

type Received = {
  audioPackets: number;
  audioLevel: number;
  framesDecoded: number;
  /** The microphone's level as sent. */
  sentLevel: number;
};

/** What the page receives back: its audio (packets, level) and processed video. In the page. */
async function received(): Promise<Received> {
  const { pc } = window as unknown as { pc: RTCPeerConnection };
  const out: Received = { audioPackets: 0, audioLevel: 0, framesDecoded: 0, sentLevel: 0 };
  for (const stat of (await pc.getStats()).values()) {
    if (stat.type === 'media-source' && stat.kind === 'audio') out.sentLevel = stat.audioLevel ?? 0;
    if (stat.type !== 'inbound-rtp') continue;
    if (stat.kind === 'audio') {
      out.audioPackets = stat.packetsReceived ?? 0;
      out.audioLevel = stat.audioLevel ?? 0;
    } else out.framesDecoded = stat.framesDecoded ?? 0;
  }
  return out;
}

describe.skipIf(!hasChromium)('Chromium publishing camera and microphone (Opus) over WHIP', () => {
  let stack: TestStack;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let page: Page | undefined;
  let viewer: RtpWhepViewer | undefined;
  let resource: string | undefined;

  beforeAll(async () => {
    site = await serveStatic(process.cwd(), {
      '/audio.html': '<!doctype html><title>audio</title>',
    });
    stack = await startStack({ orchestrators: 1, allowedOrigins: [site.url] });
    browser = await launchChromiumWithTone();
  }, 120_000);

  afterEach(async () => {
    await viewer?.close();
    await page?.close();
    if (resource) await fetch(resource, { method: 'DELETE' });
    await waitFor(
      'the stream to end',
      async () => (await stack.streams()).length === 0 || undefined,
      15_000,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.close();
  });

  for (const codec of ['VP8', 'H264']) {
    it(`Opus + ${codec}: a WHEP viewer gets both tracks, the page its tone back`, async () => {
      page = await browser.newPage();
      const log = collectConsole(page);
      await page.goto(`${site.url}/audio.html`);
      resource = await page.evaluate(publish, { whipUrl: stack.whipUrl, codec });
      const stream = await waitFor('the stream', async () => (await stack.streams())[0], 10_000);
      expect(stream.codec).toBe(codec);
      expect(stream.audio?.codec).toBe('opus');
      viewer = await RtpWhepViewer.connect(
        `${new URL(stack.whipUrl).origin}/whep/${stream.playbackId}`,
        codec === 'H264' ? { codec: viewerH264 } : {},
      );
      const seen = viewer;
      await waitFor(
        'viewer audio and video',
        async () =>
          (seen.audio.packets.length >= 150 &&
            seen.video.packets.filter((p) => p.marker).length > 30) ||
          undefined,
        20_000,
      );
      const back = await waitFor(
        'the page decoding its video and hearing its tone',
        async () => {
          const now = await page?.evaluate(received);
          return now && now.framesDecoded > 30 && now.audioPackets > 150 && now.audioLevel > 0.05
            ? now
            : undefined;
        },
        20_000,
      );
      const stats = (await stack.streams())[0]?.audio;
      console.info(`Chromium Opus + ${codec}`, back, stats);
      expect(stats?.packetsFromPublisher).toBeGreaterThan(150);
      expect(stats?.packetsDropped).toBeLessThan((stats?.packetsFromPublisher ?? 0) * 0.05);
      expect(log.errors).toEqual([]);
    });
  }
});
