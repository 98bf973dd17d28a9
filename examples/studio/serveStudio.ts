import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defaultClientConditions, type InlineConfig, type Plugin, preview } from 'vite';

export type StudioOptions = {
  /**
   * The gateway the pages talk to, e.g. `http://127.0.0.1:8088` (a page's `?gateway=` wins).
   * Default none: pages use `?gateway=`, else port 8088 on the page's host. The gateway must
   * allow the studio's origin (`--allowed-origin`), so a studio started first (its URL, hence
   * its origin, known) can be pointed at a gateway started after it with `?gateway=`.
   */
  gatewayUrl?: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one). */
  port?: number;
};

export const defaultStudioOptions = { host: '127.0.0.1', port: 0 } as const;

export type StudioServer = { url: string; close(): Promise<void> };

const root = fileURLToPath(new URL('.', import.meta.url));

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Writes the gateway's URL into every page as `<meta name="peerframe-gateway">`. */
function gatewayMeta(gatewayUrl: string): Plugin {
  return {
    name: 'peerframe-gateway-url',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { name: 'peerframe-gateway', content: escapeAttribute(gatewayUrl) },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Builds the studio (`/`) and its viewer page (`/viewer.html`) with Vite into a temporary folder
 * (the SDK from its TypeScript sources) and serves the result with Vite's preview server: plain
 * static files, no dev-server client. `npm start` runs it beside the gateway.
 */
export async function startStudio(options: StudioOptions): Promise<StudioServer> {
  const host = options.host ?? defaultStudioOptions.host;
  const port = options.port ?? defaultStudioOptions.port;
  const outDir = await mkdtemp(join(tmpdir(), 'peerframe-studio-'));
  const config: InlineConfig = {
    root,
    configFile: false,
    logLevel: 'warn',
    appType: 'mpa',
    // Outside the checkout: Vite's cache is not part of the repository.
    cacheDir: join(tmpdir(), 'peerframe-studio-vite'),
    plugins: options.gatewayUrl ? [gatewayMeta(options.gatewayUrl.replace(/\/$/, ''))] : [],
    // Workspace packages from their TypeScript sources (`source` condition), as the tests do.
    resolve: { conditions: ['source', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: {
        input: { studio: join(root, 'index.html'), viewer: join(root, 'viewer.html') },
      },
    },
    preview: { host, port, strictPort: port !== 0 },
  };
  try {
    await build(config);
    const server = await preview(config);
    const url = server.resolvedUrls?.local[0];
    if (!url) {
      await server.close();
      throw new Error('the studio server did not report its URL');
    }
    return {
      url: url.replace(/\/$/, ''),
      close: async () => {
        await server.close();
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}
