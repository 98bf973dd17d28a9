import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsole,
  hasChromium,
  inboundAudio,
  keepPeerConnections,
  noChromiumMessage,
  repoRoot,
  sdkImportMap,
  serveStatic,
  waitFor,
} from '../helpers/browser.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';
import { launchChromiumWithTone } from '../helpers/writeToneWav.ts';

const root = repoRoot;
const importMap = sdkImportMap;

if (!hasChromium) console.warn(noChromiumMessage);

/**
 * How the session in the page publishes its sound (`tone`: the SDK's test tone; `alone`: a
 * microphone only, to `gain`).
 */
type AudioCase = 'stream' | 'none' | 'constraints' | 'tone' | 'alone';

/** Starts a session in the page with the SDK, its output played in a <video>. In the page. */
async function startSession(args: { gatewayUrl: string; audio: AudioCase }): Promise<void> {
  const load = new Function('name', 'return import(name)') as (
    name: string,
  ) => Promise<typeof import('@peerframe/client-sdk')>;
  const { createSession } = await load('@peerframe/client-sdk');
  const camera = await navigator.mediaDevices.getUserMedia({
    video: args.audio !== 'alone',
    audio: args.audio === 'stream' || args.audio === 'none' || args.audio === 'alone',
  });
  let audio: boolean | 'tone' | MediaStreamTrack | MediaTrackConstraints = true;
  if (args.audio === 'none') audio = false;
  if (args.audio === 'constraints') audio = { echoCancellation: false, noiseSuppression: false };
  // The SDK's test tone (made at publish(), once the camera is capturing: Web Audio may start).
  if (args.audio === 'tone') audio = 'tone';
  const session = await createSession({
    gatewayUrl: args.gatewayUrl,
    ...(args.audio === 'alone'
      ? { pipeline: 'gain', params: { gainDb: -6 } }
      : { pipeline: 'invert' }),
    audio,
  });
  const video = document.createElement('video');
  video.autoplay = true;
  video.srcObject = session.output;
  session.on('output', () => void video.play().catch(() => undefined));
  document.body.append(video);
  (window as unknown as { session: unknown }).session = session;
  await session.publish(camera);
}

type Heard = { audioPackets: number; audioLevel: number; outputAudioTracks: number };

/** What the page's session gets back: its sound (packets, level) and `output`'s audio tracks. */
async function heard(page: Page): Promise<Heard> {
  const { packets, level } = await page.evaluate(inboundAudio);
  const outputAudioTracks = await page.evaluate(
    () =>
      (window as unknown as { session: { output: MediaStream } }).session.output.getAudioTracks()
        .length,
  );
  return { audioPackets: packets, audioLevel: level, outputAudioTracks };
}

describe.skipIf(!hasChromium)('the SDK sends and plays sound (its audio option)', () => {
  let stack: TestStack;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let page: Page | undefined;

  beforeAll(async () => {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'packages/client-sdk'], { cwd: root });
    site = await serveStatic(root, { '/session.html': `${importMap}\n<body></body>` });
    stack = await startStack({ allowedOrigins: [site.url] });
    browser = await launchChromiumWithTone();
  }, 120_000);

  afterEach(async () => {
    await page?.evaluate(() =>
      (window as unknown as { session?: { close(): Promise<void> } }).session?.close(),
    );
    // The page stays open until the gateway ended the stream (its DELETE is in flight).
    await waitFor(
      'the stream to end',
      async () => (await stack.streams()).length === 0 || undefined,
      15_000,
    );
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.close();
  });

  async function open(audio: AudioCase) {
    page = await browser.newPage();
    await page.addInitScript(keepPeerConnections);
    const log = collectConsole(page);
    await page.goto(`${site.url}/session.html`);
    await page.evaluate(startSession, { gatewayUrl: stack.gatewayUrl, audio });
    const stream = await waitFor('the stream', async () => (await stack.streams())[0], 10_000);
    return { log, stream, page };
  }

  const hearing = (page: Page, what: string) =>
    waitFor(
      what,
      async () => {
        const now = await heard(page);
        return now.audioPackets > 100 && now.audioLevel > 0.05 ? now : undefined;
      },
      20_000,
    );

  for (const audio of ['stream', 'constraints', 'tone'] as const) {
    it(`sends its sound (${audio}) and plays what comes back in output`, async () => {
      const { log, stream, page } = await open(audio);
      expect(stream.audio?.codec).toBe('opus');
      const back = await hearing(page, 'the page hearing its sound back');
      expect(back.outputAudioTracks).toBe(1);
      const relayed = (await stack.streams())[0]?.audio;
      expect(relayed?.packetsFromPublisher).toBeGreaterThan(100);
      if (audio === 'tone') {
        // Muted: silence is sent, and silence comes back.
        await page.evaluate(() =>
          (
            window as unknown as { session: { setAudioEnabled(on: boolean): void } }
          ).session.setAudioEnabled(false),
        );
        await waitFor(
          'silence back once muted',
          async () => ((await heard(page)).audioLevel < 0.001 ? true : undefined),
          10_000,
        );
      }
      expect(log.errors).toEqual([]);
    });
  }

  it('publishes audio alone to an audio-only pipeline and plays its processed sound', async () => {
    const { log, stream, page } = await open('alone');
    expect(stream.codec).toBe('none');
    expect(stream.pipeline).toBe('gain');
    const back = await hearing(page, 'the page hearing the processed sound');
    expect(back.outputAudioTracks).toBe(1);
    // It went through the orchestrator (an audio-only stream counts its audio packets there).
    const now = (await stack.streams())[0];
    expect(now?.packetsToOrchestrator).toBeGreaterThan(100);
    expect(now?.packetsFromOrchestrator).toBeGreaterThan(100);
    expect(log.errors).toEqual([]);
  });

  it('sends video only with audio: false, even from a stream with a microphone', async () => {
    const { log, stream, page } = await open('none');
    expect(stream.audio).toBeUndefined();
    await waitFor(
      'processed video',
      async () =>
        (await page.evaluate(
          () => document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
        )) > 15 || undefined,
      20_000,
    );
    expect((await heard(page)).outputAudioTracks).toBe(0);
    expect(log.errors).toEqual([]);
  });
});
