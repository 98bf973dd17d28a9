import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { GatewayServer } from '@peerframe/gateway';
import type { Browser, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoFrame } from '../../packages/pipelines/fixtures/photoRegions.ts';
import {
  collectConsole,
  countPeerConnections,
  hasChromium,
  launchChromium,
  noChromiumMessage,
  peerConnectionCounts,
  repoRoot,
  sdkImportMap,
  serveStatic,
  waitFor,
  writeY4m,
} from '../helpers/browser.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const root = repoRoot;
const importMap = sdkImportMap;

if (!hasChromium) console.warn(noChromiumMessage);

type PageView = {
  states: string[];
  streamId: string | undefined;
  frames: number;
  errors: string[];
};

describe.skipIf(!hasChromium)('the SDK across a gateway restart', () => {
  let stack: TestStack;
  let gateway: GatewayServer | undefined;
  let site: Awaited<ReturnType<typeof serveStatic>>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'packages/client-sdk'], { cwd: root });
    // The stack's orchestrator, behind a gateway of our own that the test can stop and start.
    stack = await startStack({ orchestrators: 1 });
    site = await serveStatic(root, {
      '/session.html': `${importMap}\n<video id="output"></video>`,
    });
    // The page calls the gateway from the site's origin.
    gateway = await GatewayServer.create({
      orchestrators: [stack.orchestratorUrl],
      allowedOrigins: [site.url],
    });
    browser = await launchChromium(writeY4m([photoFrame(320, 240)]));
    page = await browser.newPage();
    await page.addInitScript(countPeerConnections);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await gateway?.close();
    await stack?.close();
  });

  it('publishes again with the same pipeline and params once the gateway is back', async () => {
    const log = collectConsole(page);
    await page.goto(`${site.url}/session.html`);
    const gatewayUrl = gateway?.url ?? '';
    await page.evaluate(async (url) => {
      const load = new Function('name', 'return import(name)') as (
        name: string,
      ) => Promise<typeof import('@peerframe/client-sdk')>;
      const { createSession } = await load('@peerframe/client-sdk');
      const camera = await navigator.mediaDevices.getUserMedia({ video: true });
      const session = await createSession({
        gatewayUrl: url,
        pipeline: 'color-grade',
        params: { saturation: 0.5 },
        reconnectDelayMs: 250,
      });
      const view = { states: [] as string[], errors: [] as string[] };
      session.on('state', (state) => view.states.push(state));
      session.on('error', (error) => view.errors.push(error.code));
      const video = document.getElementById('output') as HTMLVideoElement;
      video.muted = true;
      video.autoplay = true;
      video.srcObject = session.output;
      (window as unknown as Record<string, unknown>).view = { session, view, camera };
      await session.publish(camera);
    }, gatewayUrl);
    const read = () =>
      page.evaluate(() => {
        const w = window as unknown as {
          view: {
            session: { streamId: string | undefined };
            view: { states: string[]; errors: string[] };
          };
        };
        const video = document.getElementById('output') as HTMLVideoElement;
        return {
          states: [...w.view.view.states],
          errors: [...w.view.view.errors],
          streamId: w.view.session.streamId,
          frames: video.getVideoPlaybackQuality().totalVideoFrames,
        } satisfies PageView;
      });
    const before = await waitFor(
      'live with frames',
      async () => {
        const v = await read();
        return v.states.at(-1) === 'live' && v.frames > 15 ? v : undefined;
      },
      30_000,
    );

    // A live change, which the session must keep too.
    await page.evaluate(async () => {
      const w = window as unknown as {
        view: { session: { update(params: Record<string, unknown>): Promise<void> } };
      };
      await w.view.session.update({ contrast: 1.5 });
    });

    // The gateway goes away (its streams end), and comes back on the same address.
    const port = Number(new URL(gatewayUrl).port);
    await gateway?.close();
    gateway = undefined;
    await waitFor(
      'the session reconnecting',
      async () => ((await read()).states.at(-1) === 'reconnecting' ? true : undefined),
      15_000,
    );
    const downAt = performance.now();
    gateway = await GatewayServer.create({
      orchestrators: [stack.orchestratorUrl],
      port,
      allowedOrigins: [site.url],
    });
    const after = await waitFor(
      'live again on a new stream, with frames',
      async () => {
        const v = await read();
        return v.states.at(-1) === 'live' &&
          v.streamId !== before.streamId &&
          v.frames > before.frames + 15
          ? v
          : undefined;
      },
      30_000,
    );
    console.info(
      `gateway restart: live again ${Math.round(performance.now() - downAt)} ms after the gateway was back; states ${after.states.join(' → ')}; errors ${after.errors.join(', ') || 'none'}`,
    );
    const [stream] = await (await fetch(`${gateway.url}/streams`))
      .json()
      .then((body: { streams: { id: string; pipeline: string }[] }) => body.streams);
    expect(stream?.id).toBe(after.streamId);
    expect(stream?.pipeline).toBe('color-grade');
    // The new stream runs with the params given at the start and the one changed live.
    const control = io(`${gateway.url}/streams`, { transports: ['websocket'] });
    try {
      const reply = (await control
        .timeout(5_000)
        .emitWithAck('join', { streamId: stream?.id })) as {
        params: Record<string, unknown>;
      };
      expect(reply.params).toEqual({ saturation: 0.5, contrast: 1.5 });
    } finally {
      control.close();
    }
    // Every peer connection but the live one is closed.
    const counts = await peerConnectionCounts(page);
    expect(counts.created - counts.closed).toBe(1);
    await page.evaluate(async () => {
      const w = window as unknown as {
        view: { session: { close(): Promise<void> }; camera: MediaStream };
      };
      await w.view.session.close();
      for (const track of w.view.camera.getTracks()) track.stop();
    });
    const closed = await peerConnectionCounts(page);
    expect(closed.closed).toBe(closed.created);
    // Failed requests to the stopped gateway are the only errors the page may log.
    expect(log.errors.filter((e) => !/ERR_CONNECTION_REFUSED|WebSocket/.test(e))).toEqual([]);
  });
});
