import { request } from 'node:http';
import {
  type FrameProbeResult,
  NodeWhipPublisher,
  runFrameProbe,
} from '@peerframe/client-sdk/node';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { GatewayServer, type GatewayServerOptions } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { expect } from 'vitest';

export type InProcessStack = {
  gateway: GatewayServer;
  orchestrators: OrchestratorServer[];
  close(): Promise<void>;
};

/**
 * Orchestrators and a gateway in the test's own process, on 127.0.0.1 with free ports, so a test
 * can set options the CLI does not expose and look at their state (sessions, pipeline params).
 */
export async function startInProcessStack({
  orchestrators = [{}],
  gateway = {},
}: {
  /** One entry per orchestrator (default one, with its default capacity). */
  orchestrators?: { maxSessions?: number }[];
  gateway?: Omit<GatewayServerOptions, 'orchestrators'>;
} = {}): Promise<InProcessStack> {
  const nodes: OrchestratorServer[] = [];
  try {
    for (const options of orchestrators) nodes.push(await OrchestratorServer.create(options));
    const server = await GatewayServer.create({
      ...gateway,
      orchestrators: nodes.map((node) => node.url),
    });
    return {
      gateway: server,
      orchestrators: nodes,
      close: async () => {
        await server.close();
        await Promise.all(nodes.map((node) => node.close()));
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.close()));
    throw error;
  }
}

/**
 * A real libwebrtc VP8 offer (`sendrecv` for WHIP, `recvonly` for WHEP) whose peer is closed at
 * once, with `candidates` (`a=candidate:` values) in place of its own: with none, a peer the
 * gateway can never reach (it never completes ICE).
 */
export async function bareOffer(
  direction: 'sendrecv' | 'recvonly',
  candidates: readonly string[] = [],
): Promise<string> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction });
    const sdp = (await pc.createOffer()).sdp ?? '';
    const lines = sdp.split('\r\n').filter((l) => l !== '' && !l.startsWith('a=candidate:'));
    return `${[...lines, ...candidates.map((c) => `a=${c}`)].join('\r\n')}\r\n`;
  } finally {
    pc.close();
  }
}

/** A UDP host candidate at 127.0.0.1:`port`. */
export function hostCandidate(port: number, foundation = port): string {
  return `candidate:${foundation} 1 udp 2122260223 127.0.0.1 ${port} typ host`;
}

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The `{ error: { code } }` of a refusal. */
  code: string | undefined;
};

/**
 * One HTTP request, optionally from another loopback address (`localAddress: '127.0.0.2'`): the
 * gateway counts rate and pending limits per client address.
 */
export function httpRequest(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    localAddress,
  }: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    localAddress?: string;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let code: string | undefined;
          try {
            code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
          } catch {
            code = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, code });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs an SDP offer (WHIP or WHEP). */
export function postSdp(
  url: string,
  sdp: string,
  options: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<RawResponse> {
  return httpRequest(url, {
    method: 'POST',
    body: sdp,
    ...options,
    headers: { 'content-type': 'application/sdp', ...options.headers },
  });
}

/**
 * Pushes numbered frames for `durationMs` and checks that they come back: a stream that still
 * works. With `inverted` (default) their content must be the `invert` pipeline's; without, any
 * processing passes.
 */
export async function expectFramesBack(
  publisher: NodeWhipPublisher,
  { durationMs = 1_500, inverted = true }: { durationMs?: number; inverted?: boolean } = {},
): Promise<FrameProbeResult> {
  const probe = await runFrameProbe(publisher, {
    widthPx: 256,
    heightPx: 192,
    durationMs,
    warmupMs: 300,
    ...(inverted ? { expectLuma: (y: number) => 251 - y } : {}),
  });
  expect(probe.framesReturned).toBeGreaterThan(10);
  if (inverted) expect(probe.framesWrongContent).toBe(0);
  return probe;
}

/** Publishes `invert` for real, checks its frames come back, and ends it: the gateway still serves. */
export async function expectPublishWorks(whipUrl: string): Promise<void> {
  const publisher = await NodeWhipPublisher.connect({ whipUrl, pipeline: 'invert' });
  try {
    await expectFramesBack(publisher);
  } finally {
    await publisher.close();
  }
}

/** POSTs `count` offers from one client, each expected to be answered 201 (and never connect). */
export async function postAnswered(
  url: string,
  offer: string,
  from: { localAddress: string },
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) expect((await postSdp(url, offer, from)).status).toBe(201);
}
