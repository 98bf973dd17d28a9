import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoFrame } from '../../packages/pipelines/fixtures/photoRegions.ts';
import {
  artifactsDir,
  collectConsole,
  countPeerConnections,
  hasChromium,
  launchChromium,
  noChromiumMessage,
  peerConnectionCounts,
  readVideo,
  serveStatic,
  waitFor,
  writeY4m,
} from '../helpers/browser.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'packages/client-sdk/README.md'), 'utf8');
/** The README's "embed in your page" example, verbatim but for the gateway's address. */
const example = /## Embed in your page[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const photoSize = 512;
const box = { x0: 0.1, x1: 0.9, y0: 0.15, y1: 0.95 };

if (!hasChromium) console.warn(noChromiumMessage);

/** The photo's luma on the same 8×8 grid `readVideo` samples (box fractions of the frame). */
function photoGrid(): number[] {
  const frame = photoFrame(photoSize, photoSize);
  const grid: number[] = [];
  const x0 = Math.round(box.x0 * photoSize);
  const x1 = Math.round(box.x1 * photoSize);
  const y0 = Math.round(box.y0 * photoSize);
  const y1 = Math.round(box.y1 * photoSize);
  for (let gy = 0; gy < 8; gy++) {
    for (let gx = 0; gx < 8; gx++) {
      const x = Math.floor(x0 + ((x1 - x0) * (gx + 0.5)) / 8);
      const y = Math.floor(y0 + ((y1 - y0) * (gy + 0.5)) / 8);
      grid.push(frame.data[y * photoSize + x] ?? 0);
    }
  }
  return grid;
}

function correlation(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    ab += (x - ma) * (y - mb);
    aa += (x - ma) ** 2;
    bb += (y - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

describe.skipIf(!hasChromium)('the SDK embedded in a bare page (README example)', () => {
  let stack: TestStack;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let page: Page;
  let log: ReturnType<typeof collectConsole>;

  beforeAll(async () => {
    // The page loads the built ESM files, as a site using the package would.
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'packages/client-sdk'], { cwd: root });
    mkdirSync(artifactsDir, { recursive: true });
    expect(example.split('\n').filter(Boolean).length).toBeLessThanOrEqual(15);
    // The site first: the gateway must allow the page's origin (it is the gateway's URL the page needs).
    const pages: Record<string, string> = {};
    site = await serveStatic(root, pages);
    stack = await startStack({ orchestrators: 1, allowedOrigins: [site.url] });
    pages['/embed.html'] = example.replace('http://127.0.0.1:8088', stack.gatewayUrl);
    browser = await launchChromium(writeY4m([photoFrame(photoSize, photoSize)]));
    page = await browser.newPage();
    await page.addInitScript(countPeerConnections);
    log = collectConsole(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stack?.close();
  });

  it('shows the camera inverted and reports stats with the latency it measured', async () => {
    await page.goto(`${site.url}/embed.html`);
    try {
      await waitFor(
        'state live',
        () => (log.lines.some((l) => l.endsWith('state live')) ? true : undefined),
        60_000,
      );
      const stats = await waitFor(
        'stats with frames back and a latency',
        () => {
          for (const line of log.lines.toReversed()) {
            const at = line.indexOf('stats ');
            if (at < 0) continue;
            const s = JSON.parse(line.slice(at + 6)) as {
              fpsReceived?: number;
              fpsOut?: number;
              latencyMs?: number;
            };
            if ((s.fpsReceived ?? 0) > 5 && (s.fpsOut ?? 0) > 5 && s.latencyMs !== undefined)
              return s;
          }
          return undefined;
        },
        30_000,
      );
      console.info(`embed: ${JSON.stringify(stats)}`);
      const source = photoGrid();
      const frame = await waitFor(
        'an inverted output frame',
        async () => {
          const read = await readVideo(page, '#output', [box]);
          const grid = read?.boxes[0]?.grid;
          return grid && correlation(grid, source) < -0.8 ? read : undefined;
        },
        10_000,
      );
      expect(frame.widthPx).toBeGreaterThan(0);
      expect(stats.latencyMs).toBeGreaterThan(0);
      expect(stats.latencyMs).toBeLessThan(5_000);
      expect(log.errors).toEqual([]);
    } finally {
      await page.screenshot({ path: join(artifactsDir, 'embed.png') });
    }
  });

  it('reconnects when the gateway ends its stream, and leaks no peer connection or track', async () => {
    type Probe = { states: string[]; streamId: string | undefined; outputLive: number };
    const before = await peerConnectionCounts(page);
    const probe = () =>
      page.evaluate(() => {
        const w = window as unknown as {
          leak: {
            states: string[];
            session: { streamId: string | undefined; output: MediaStream };
          };
        };
        return {
          states: w.leak.states,
          streamId: w.leak.session.streamId,
          outputLive: w.leak.session.output.getTracks().filter((t) => t.readyState === 'live')
            .length,
        } satisfies Probe;
      });
    await page.evaluate(async (gatewayUrl) => {
      // A dynamic import the test runner leaves alone: resolved by the page's import map.
      const load = new Function('name', 'return import(name)') as (
        name: string,
      ) => Promise<typeof import('@peerframe/client-sdk')>;
      const { createSession } = await load('@peerframe/client-sdk');
      const camera = await navigator.mediaDevices.getUserMedia({ video: true });
      const session = await createSession({ gatewayUrl, pipeline: 'passthrough' });
      const states: string[] = [];
      const outputs: MediaStreamTrack[] = [];
      session.on('state', (state) => states.push(state));
      session.on('output', (stream) => outputs.push(...stream.getTracks()));
      (window as unknown as Record<string, unknown>).leak = { session, states, outputs, camera };
      const video = document.createElement('video');
      video.id = 'leak-output';
      video.muted = true;
      video.autoplay = true;
      video.srcObject = session.output;
      document.body.append(video);
      await session.publish(camera);
    }, stack.gatewayUrl);
    const live = await waitFor(
      'the second session live',
      async () => {
        const p = await probe();
        return p.states.at(-1) === 'live' && p.outputLive === 1 ? p : undefined;
      },
      30_000,
    );
    // The gateway ends the stream (as after losing it): the session publishes again by itself.
    const res = await fetch(`${stack.gatewayUrl}/whip/${live.streamId}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const again = await waitFor(
      'the session live again on a new stream',
      async () => {
        const p = await probe();
        return p.streamId && p.streamId !== live.streamId && p.states.at(-1) === 'live'
          ? p
          : undefined;
      },
      30_000,
    );
    expect(again.states).toContain('reconnecting');
    // A video element playing `session.output` keeps playing on the new connection's track.
    const frames = () =>
      page.evaluate(
        () =>
          (document.getElementById('leak-output') as HTMLVideoElement).getVideoPlaybackQuality()
            .totalVideoFrames,
      );
    const framesAfterReconnect = await frames();
    await waitFor(
      'the same video element playing the new track',
      async () => ((await frames()) > framesAfterReconnect + 15 ? true : undefined),
      10_000,
    );
    expect(again.outputLive).toBe(1);
    const during = await peerConnectionCounts(page);
    // Two made by this session, the first of them closed; the README page's one still open.
    expect(during.created - before.created).toBe(2);
    expect(during.closed - before.closed).toBe(1);
    const ended = await page.evaluate(async () => {
      const w = window as unknown as {
        leak: {
          session: { close(): Promise<void>; output: MediaStream };
          outputs: MediaStreamTrack[];
          camera: MediaStream;
        };
      };
      await w.leak.session.close();
      const cameraLive = w.leak.camera.getTracks().every((t) => t.readyState === 'live');
      for (const t of w.leak.camera.getTracks()) t.stop();
      return {
        outputs: w.leak.outputs.length,
        outputsLive: w.leak.outputs.filter((t) => t.readyState === 'live').length,
        outputLeft: w.leak.session.output.getTracks().length,
        cameraLive,
      };
    });
    const after = await peerConnectionCounts(page);
    expect(after.created - before.created).toBe(2);
    expect(after.closed - before.closed).toBe(2);
    expect(ended.outputs).toBeGreaterThanOrEqual(2);
    expect(ended.outputsLive).toBe(0);
    expect(ended.outputLeft).toBe(0);
    // The published camera is the caller's: the session leaves it running.
    expect(ended.cameraLive).toBe(true);
    await waitFor(
      'the gateway to forget both streams',
      async () => ((await stack.streams()).length === 1 ? true : undefined),
      10_000,
    );
    expect(log.errors).toEqual([]);
  });
});
