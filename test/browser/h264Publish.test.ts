import { markerBandHeightPx, readFrameMarker, SyntheticVideo } from '@peerframe/client-sdk/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsole,
  hasChromium,
  launchChromium,
  noChromiumMessage,
  serveStatic,
  waitFor,
  writeY4m,
} from '../helpers/browser.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

if (!hasChromium) console.warn(noChromiumMessage);

const widthPx = 320;
const heightPx = 240;

/**
 * Publishes the fake camera over WHIP with H.264 first in the codec preferences (as a page that
 * wants H.264 does) and plays the processed track in `#output`. Runs in the page.
 */
async function publishH264(whipUrl: string): Promise<{ codecs: string[] }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const [track] = stream.getVideoTracks();
  if (!track) throw new Error('no camera track');
  const pc = new RTCPeerConnection();
  (window as unknown as { pc: RTCPeerConnection }).pc = pc;
  const transceiver = pc.addTransceiver(track, { direction: 'sendrecv' });
  const codecs = RTCRtpReceiver.getCapabilities('video')?.codecs ?? [];
  const h264 = codecs.filter((c) => c.mimeType === 'video/H264');
  transceiver.setCodecPreferences([...h264, ...codecs.filter((c) => c.mimeType !== 'video/H264')]);
  pc.ontrack = ({ track: remote }) => {
    const video = document.querySelector('#output') as HTMLVideoElement;
    video.srcObject = new MediaStream([remote]);
  };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  });
  const res = await fetch(`${whipUrl}?pipeline=invert`, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription?.sdp ?? '',
  });
  if (res.status !== 201) throw new Error(`WHIP answered ${res.status}: ${await res.text()}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return { codecs: h264.map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`) };
}

/** The codec of the page's outbound and inbound video, from getStats. Runs in the page. */
type NegotiatedCodecs = {
  outbound?: string | undefined;
  inbound?: string | undefined;
  framesDecoded?: number;
};

async function negotiatedCodecs(): Promise<NegotiatedCodecs> {
  const { pc } = window as unknown as { pc: RTCPeerConnection };
  const report = await pc.getStats();
  const out: NegotiatedCodecs = {};
  for (const stat of report.values()) {
    if (stat.type !== 'outbound-rtp' && stat.type !== 'inbound-rtp') continue;
    const codec = report.get(stat.codecId)?.mimeType as string | undefined;
    if (stat.type === 'outbound-rtp') out.outbound = codec;
    else {
      out.inbound = codec;
      out.framesDecoded = stat.framesDecoded;
    }
  }
  return out;
}

/**
 * The top `rows` of `#output`'s current frame as luma (BT.601 limited range), base64: the band
 * where the frame's marker is. Runs in the page.
 */
function outputLumaBand(
  rows: number,
): { widthPx: number; heightPx: number; band: string } | undefined {
  const video = document.querySelector('#output') as HTMLVideoElement | null;
  if (!video || video.readyState < 2 || !video.videoWidth) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return undefined;
  context.drawImage(video, 0, 0);
  const rgba = context.getImageData(0, 0, canvas.width, Math.min(rows, canvas.height)).data;
  let band = '';
  for (let i = 0; i < rgba.length; i += 4) {
    const y =
      16 +
      (65.481 * (rgba[i] ?? 0) + 128.553 * (rgba[i + 1] ?? 0) + 24.966 * (rgba[i + 2] ?? 0)) / 255;
    band += String.fromCharCode(Math.max(0, Math.min(255, Math.round(y))));
  }
  return { widthPx: canvas.width, heightPx: canvas.height, band: btoa(band) };
}

/** A luma plane holding the band read from the page (the rest zero): enough for `readFrameMarker`. */
function planeWithBand(frame: { widthPx: number; heightPx: number; band: string }): Uint8Array {
  const plane = new Uint8Array(frame.widthPx * frame.heightPx);
  plane.set(Buffer.from(frame.band, 'base64'));
  return plane;
}

describe.skipIf(!hasChromium)('Chromium publishing H.264 over WHIP (setCodecPreferences)', () => {
  let stack: TestStack;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let page: Page;
  let log: ReturnType<typeof collectConsole>;

  beforeAll(async () => {
    site = await serveStatic(process.cwd(), {
      '/h264.html': '<!doctype html><video id="output" autoplay muted playsinline></video>',
    });
    // The gateway takes requests from the pages of allowed origins only.
    stack = await startStack({ orchestrators: 1, allowedOrigins: [site.url] });
    // The fake camera plays numbered frames: each one's marker survives both encodes.
    const video = new SyntheticVideo(widthPx, heightPx);
    const clip = Array.from({ length: 90 }, (_, n) => video.frame(n));
    browser = await launchChromium(writeY4m(clip));
    page = await browser.newPage();
    log = collectConsole(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.close();
  });

  it('gets its camera back inverted, in H.264 both ways, through gateway and orchestrator', async () => {
    await page.goto(`${site.url}/h264.html`);
    const { codecs } = await page.evaluate(publishH264, stack.whipUrl);
    expect(codecs.length).toBeGreaterThan(0);
    const stream = await waitFor(
      'the stream on the gateway',
      async () => (await stack.streams())[0],
      10_000,
    );
    expect(stream.codec).toBe('H264');
    const negotiated = await waitFor(
      'decoded processed frames',
      async () => {
        const now = await page.evaluate(negotiatedCodecs);
        return (now.framesDecoded ?? 0) > 30 ? now : undefined;
      },
      30_000,
    );
    expect(negotiated).toMatchObject({ outbound: 'video/H264', inbound: 'video/H264' });
    // Frames the page shows are the camera's, inverted: their markers read as negatives.
    const markers: number[] = [];
    const reads = { frames: 0, unreadable: 0, notInverted: 0 };
    await waitFor(
      'ten inverted frames on the page',
      async () => {
        const frame = await page.evaluate(outputLumaBand, markerBandHeightPx(heightPx));
        if (!frame) return undefined;
        const marker = readFrameMarker(planeWithBand(frame), frame.widthPx, frame.heightPx);
        reads.frames++;
        if (!marker) reads.unreadable++;
        else if (!marker.inverted) reads.notInverted++;
        if (marker?.inverted && !markers.includes(marker.frameNumber))
          markers.push(marker.frameNumber);
        return markers.length >= 10 ? true : undefined;
      },
      20_000,
      50,
    ).catch(async (error: unknown) => {
      console.info(
        'frames read',
        reads,
        await page.evaluate(negotiatedCodecs),
        await stack.streams(),
      );
      throw error;
    });
    const [now] = await stack.streams();
    console.info('Chromium H.264', { ...negotiated, swaps: now?.swaps, codecs });
    const transport = await stack.transport(now?.orchestratorSessionId ?? '');
    expect(transport).toMatchObject({ codec: 'H264', decoder: 'h264', encoder: 'libx264' });
    expect(log.errors).toEqual([]);
  });
});
