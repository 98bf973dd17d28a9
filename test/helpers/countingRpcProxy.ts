import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A JSON-RPC relay in front of a real node (anvil) that counts the calls passing through it by
 * method, so a test can say how many chain reads a request cost. Batches count per call.
 */
export type CountingRpcProxy = {
  url: string;
  /** Calls per method since the last `reset`. */
  counts(): Record<string, number>;
  /** Calls of `method` since the last `reset`. */
  count(method: string): number;
  reset(): void;
  close(): Promise<void>;
};

export async function startCountingRpcProxy(targetUrl: string): Promise<CountingRpcProxy> {
  let counts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[];
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) {
          const method = call.method ?? '?';
          counts[method] = (counts[method] ?? 0) + 1;
        }
      } catch {
        counts['?'] = (counts['?'] ?? 0) + 1;
      }
      fetch(targetUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(
        async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        },
        (error: unknown) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(error) }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    count: (method) => counts[method] ?? 0,
    reset: () => {
      counts = {};
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
