import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CandidateBlockingProxy = {
  /** The proxy's base URL: give it to the gateway as the orchestrator's. */
  url: string;
  /** Datagrams that reached the black hole (ICE checks to the blocked candidates). */
  blocked(): number;
  close(): Promise<void>;
};

/**
 * An HTTP proxy in front of an orchestrator that blocks direct media to its workers: in the SDP
 * answers of `POST /sessions`, every ICE candidate but the orchestrator's relay (foundation
 * `relay`) is moved to a UDP port that takes datagrams and never answers, as a firewall between
 * gateway and worker would. Everything else passes unchanged.
 */
export async function startCandidateBlockingProxy(target: string): Promise<CandidateBlockingProxy> {
  let blocked = 0;
  const hole: Socket = createSocket('udp4');
  hole.on('message', () => {
    blocked++;
  });
  await new Promise<void>((resolve) => hole.bind(0, '127.0.0.1', resolve));
  const holePort = hole.address().port;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name, value]) =>
            typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name),
        ),
      ) as Record<string, string>;
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body && req.method !== 'GET' ? { body } : {}),
      });
      let text = await upstream.text();
      if (req.method === 'POST' && req.url === '/sessions' && upstream.status === 201) {
        const answer = JSON.parse(text) as { sdp: string };
        answer.sdp = answer.sdp.replace(
          /^a=candidate:(?!relay )(\S+ 1 udp \d+) (\S+) (\d+) typ host/gm,
          `a=candidate:$1 127.0.0.1 ${holePort} typ host`,
        );
        text = JSON.stringify(answer);
      }
      const outHeaders: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (
          !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)
        ) {
          outHeaders[name] = value;
        }
      });
      res.writeHead(upstream.status, outHeaders).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    blocked: () => blocked,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      hole.close();
    },
  };
}
