import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); the browser tests skip without it. */
export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const noChromiumMessage = `browser tests skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium)`;

/** The repository's root (pages served from it load the packages' built files). */
export const repoRoot = join(import.meta.dirname, '..', '..');

/** The client SDK README's import map: a page loads the SDK's built files with it, no bundler. */
export const sdkImportMap =
  /<script type="importmap">[\s\S]*?<\/script>/.exec(
    readFileSync(join(repoRoot, 'packages/client-sdk/README.md'), 'utf8'),
  )?.[0] ?? '';

/** Where the browser tests leave screenshots (ignored by git). */
export const artifactsDir = join(import.meta.dirname, '..', 'browser', 'artifacts');

export type YuvFrame = { widthPx: number; heightPx: number; data: Uint8Array };

/**
 * Writes frames (I420) as a Y4M clip that Chromium's fake camera plays in a loop
 * (`--use-file-for-fake-video-capture`).
 */
export function writeY4m(frames: readonly YuvFrame[], fps = 30): string {
  const first = frames[0];
  if (!first) throw new Error('a clip needs at least one frame');
  const dir = join(tmpdir(), 'peerframe-browser');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `clip-${process.pid}-${Date.now()}.y4m`);
  const header = `YUV4MPEG2 W${first.widthPx} H${first.heightPx} F${fps}:1 Ip A1:1 C420jpeg\n`;
  const parts: Uint8Array[] = [Buffer.from(header)];
  for (const frame of frames) parts.push(Buffer.from('FRAME\n'), frame.data);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/**
 * Launches Chromium with a fake camera playing `clip` (a .y4m file) and, when given, a fake
 * microphone playing `audioClip` (a .wav file) instead of its beeps.
 */
export async function launchChromium(clip: string, audioClip?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // The flags below include --headless; Playwright must not add its own.
    headless: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream=fps=30',
      '--allow-loopback-in-peer-connection',
      `--use-file-for-fake-video-capture=${clip}`,
      ...(audioClip ? [`--use-file-for-fake-audio-capture=${audioClip}`] : []),
    ],
  });
}

/** Keeps the page's peer connections on `window.__pcs` (an SDK's own are private). */
export const keepPeerConnections = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`;

/**
 * The sound the page's latest peer connection receives (with `keepPeerConnections`): packets,
 * and its level (0..1; Chromium decodes, and so measures, only audio that something plays).
 * Runs in the page.
 */
export async function inboundAudio(): Promise<{ packets: number; level: number }> {
  const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
  for (const stat of (await pc?.getStats())?.values() ?? []) {
    if (stat.type === 'inbound-rtp' && stat.kind === 'audio')
      return { packets: stat.packetsReceived ?? 0, level: stat.audioLevel ?? 0 };
  }
  return { packets: 0, level: 0 };
}

/** Counts the page's peer connections (made, closed) from its first script on. */
export const countPeerConnections = `(() => {
  const Native = window.RTCPeerConnection;
  const counts = { created: 0, closed: 0 };
  window.__peerConnections = counts;
  window.RTCPeerConnection = class extends Native {
    #closed = false;
    constructor(...args) { super(...args); counts.created++; }
    close() { if (!this.#closed) { this.#closed = true; counts.closed++; } return super.close(); }
  };
})();`;

export async function peerConnectionCounts(
  page: Page,
): Promise<{ created: number; closed: number }> {
  return page.evaluate(
    () =>
      (window as unknown as { __peerConnections: { created: number; closed: number } })
        .__peerConnections,
  );
}

/** Page messages and errors, to show on failure and to check that there are no errors. */
export function collectConsole(page: Page): { lines: string[]; errors: string[] } {
  const log = { lines: [] as string[], errors: [] as string[] };
  page.on('console', (message) => {
    const line = `${message.type()}: ${message.text()}`;
    log.lines.push(line);
    if (message.type() === 'error') log.errors.push(`${line} (${message.location().url})`);
  });
  page.on('pageerror', (error) => log.errors.push(`pageerror: ${error.message}`));
  return log;
}

/** Polls `check` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Statistics of a `<video>`'s current frame, read in the page by drawing it into a canvas:
 * mean luma of boxes (fractions of the frame) and the high-frequency energy (mean squared
 * Laplacian) inside them. Runs in the page; pass it to `page.evaluate`.
 */
export type VideoBox = { x0: number; x1: number; y0: number; y1: number };
export type VideoRegionStats = {
  widthPx: number;
  heightPx: number;
  /** Per box: mean luma, and per-pixel luma on an 8×8 grid for comparisons. */
  boxes: { meanLuma: number; laplacianEnergy: number; grid: number[] }[];
};

export async function readVideo(
  page: Page,
  selector: string,
  boxes: readonly VideoBox[],
): Promise<VideoRegionStats | undefined> {
  return page.evaluate(
    ({ selector, boxes }) => {
      const video = document.querySelector(selector) as HTMLVideoElement | null;
      if (!video || video.readyState < 2 || !video.videoWidth) return undefined;
      const w = video.videoWidth;
      const h = video.videoHeight;
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      if (!context) return undefined;
      context.drawImage(video, 0, 0, w, h);
      const rgba = context.getImageData(0, 0, w, h).data;
      const luma = (x: number, y: number) => {
        const i = (y * w + x) * 4;
        return 0.299 * (rgba[i] ?? 0) + 0.587 * (rgba[i + 1] ?? 0) + 0.114 * (rgba[i + 2] ?? 0);
      };
      return {
        widthPx: w,
        heightPx: h,
        boxes: boxes.map((box) => {
          const x0 = Math.max(1, Math.round(box.x0 * w));
          const x1 = Math.min(w - 1, Math.round(box.x1 * w));
          const y0 = Math.max(1, Math.round(box.y0 * h));
          const y1 = Math.min(h - 1, Math.round(box.y1 * h));
          let sum = 0;
          let energy = 0;
          let count = 0;
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) {
              const v = luma(x, y);
              const laplacian =
                4 * v - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) - luma(x, y + 1);
              sum += v;
              energy += laplacian * laplacian;
              count++;
            }
          }
          const grid: number[] = [];
          for (let gy = 0; gy < 8; gy++) {
            for (let gx = 0; gx < 8; gx++) {
              grid.push(
                luma(
                  Math.floor(x0 + ((x1 - x0) * (gx + 0.5)) / 8),
                  Math.floor(y0 + ((y1 - y0) * (gy + 0.5)) / 8),
                ),
              );
            }
          }
          return { meanLuma: sum / count, laplacianEnergy: energy / count, grid };
        }),
      };
    },
    { selector, boxes },
  );
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
};

/**
 * A small static file server for the bare-page test: `pages` by path, else files under `root`
 * (symlinks followed, nothing outside `root`), on 127.0.0.1 with a free port.
 */
export async function serveStatic(
  root: string,
  pages: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const page = pages[path];
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': contentTypes['.html'] }).end(page);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
