import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { HttpError } from '@peerframe/core';
import { GatewayServer, OrchestratorClient } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import type { OrchestratorViewList, PipelineOfferList } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareOffer, expectFramesBack, postSdp } from '../helpers/inProcessStack.ts';

/**
 * A hostile orchestrator: it answers every request with the JSON `answer` gives for its path
 * (`/info`, `/sessions`, …), with status 200 (201 for `POST /sessions`).
 */
async function hostileOrchestrator(
  answer: (method: string, path: string) => unknown,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(`${req.method} ${path}`);
    const status = req.method === 'POST' && path === '/sessions' ? 201 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(req.method ?? 'GET', path)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An `/info` that looks right but for a price that is no number of wei. */
const malformedInfo = {
  draining: false,
  pipelines: [
    {
      name: 'invert',
      description: 'Inverts',
      state: 'ready',
      paramsSchema: {},
      priceWeiPerSecond: 'cheap',
    },
  ],
  capacity: { maxSessions: 100, activeSessions: 0, freeSessions: 100 },
  payments: null,
};

async function refusalOf(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

// The gateway trusts no orchestrator: what one answers is checked against its wire type
// (`@peerframe/wire`) before it is used. A malformed `GET /pipelines` price used to reach
// `BigInt()` and answer 500 for every page of the network.
describe('gateway: an orchestrator’s malformed answers are refused, never a crash', () => {
  let honest: OrchestratorServer;
  let hostile: Awaited<ReturnType<typeof hostileOrchestrator>>;
  let gateway: GatewayServer;

  beforeAll(async () => {
    honest = await OrchestratorServer.create();
    hostile = await hostileOrchestrator((_method, path) =>
      path === '/info' ? malformedInfo : { id: 'x' },
    );
    gateway = await GatewayServer.create({ orchestrators: [hostile.url, honest.url] });
  });
  afterAll(async () => {
    await gateway?.close();
    await hostile?.close();
    await honest?.close();
  });

  it('answers a 502 naming the field, for /info and for each session answer', async () => {
    const client = new OrchestratorClient(hostile.url);
    const info = await refusalOf(client.info());
    expect({ status: info.status, code: info.code }).toEqual({
      status: 502,
      code: 'bad_orchestrator_response',
    });
    expect(info.shortMessage).toContain(
      'info.pipelines[0].priceWeiPerSecond must be a decimal string of an unsigned integer, got "cheap"',
    );
    // `{ id: 'x' }` for a new session: no SDP answer, no token.
    const created = await refusalOf(
      client.createSession({ sdp: 'v=0', pipeline: 'invert', params: {} }),
    );
    expect(created.code).toBe('bad_orchestrator_response');
    expect(created.shortMessage).toContain('session.sdp must be a string, got nothing');
  });

  it('keeps serving /pipelines and /orchestrators, and streams go to the honest orchestrator', async () => {
    const pipelines = await fetch(`${gateway.url}/pipelines`);
    expect(pipelines.status).toBe(200);
    const offers = ((await pipelines.json()) as PipelineOfferList).pipelines;
    expect(offers.find((p) => p.name === 'invert')).toMatchObject({
      priceWeiPerSecond: '0',
      orchestrators: 1,
    });
    const { orchestrators } = (await (
      await fetch(`${gateway.url}/orchestrators`)
    ).json()) as OrchestratorViewList;
    expect(orchestrators.find((o) => o.url === hostile.url)?.pipelines).toBeUndefined();

    // Several publishers: the hostile orchestrator, never heard from properly, may be drawn; its
    // /info is then refused (502) and the stream moves on before anything is sent to it.
    hostile.requests.length = 0;
    const publishers: NodeWhipPublisher[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        publishers.push(
          await NodeWhipPublisher.connect({ whipUrl: gateway.whipUrl, pipeline: 'invert' }),
        );
      }
      for (const publisher of publishers) await expectFramesBack(publisher);
      const served = publishers.map((p) => gateway.streams.get(p.streamId)?.stats().orchestrator);
      expect(served).toEqual(publishers.map(() => honest.url));
      expect(hostile.requests.filter((r) => r.startsWith('POST'))).toEqual([]);
    } finally {
      await Promise.all(publishers.map((p) => p.close()));
    }
  });

  it('refuses a stream only the hostile orchestrator could take with a clear 503', async () => {
    const alone = await GatewayServer.create({ orchestrators: [hostile.url] });
    try {
      const res = await postSdp(`${alone.whipUrl}?pipeline=invert`, await bareOffer('sendrecv'));
      expect({ status: res.status, code: res.code }).toEqual({
        status: 503,
        code: 'no_orchestrator',
      });
      expect(res.text).toContain(`${hostile.url}: bad_orchestrator_response`);
      expect(alone.streams.size).toBe(0);
    } finally {
      await alone.close();
    }
  });
});
