import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { fundDepositAndReserve, parseEth, TicketSender } from '@peerframe/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openConnectedSession } from '../helpers/fuzz/startFuzzStack.ts';
import {
  openPaidSession,
  postJson,
  refusal,
  sessionBalance,
  sessionParams,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

// Issue 13, item 1: the orchestrator's URL is public (on chain, in the gateway's /orchestrators)
// and its API had no authentication: anyone could list sessions, change their params and end
// them; six DELETEs ended a key-protected stream and made the gateway pay its upfront six times.
// Now a session answers only the bearer token its creation returned (or the operator's token).

const adminToken = 'orchestrator-operator-token-0123456789';
const strangerToken = 'Zm9yZ2VkLXRva2VuLW5vYm9keS1nb3QtdGhpcy1vbmUtZnJvbS1tZQ';

describe('orchestrator sessions answer their creator only', () => {
  let orchestrator: OrchestratorServer;
  let a: Awaited<ReturnType<typeof openConnectedSession>>;
  let b: Awaited<ReturnType<typeof openConnectedSession>>;
  const isLive = (id: string) => orchestrator.sessions.get(id)?.state === 'live';
  const paramsOf = (id: string) => sessionParams(orchestrator, id);
  const send = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${orchestrator.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create({ faultInjection: true, adminToken });
    a = await openConnectedSession(orchestrator.url, 'color-grade', isLive, {
      params: { saturation: 1.5 },
    });
    b = await openConnectedSession(orchestrator.url, 'color-grade', isLive);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await orchestrator?.close();
  });

  it('gives each session its own token, once, and lists sessions only to the operator', async () => {
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits
    expect(a.token).not.toBe(b.token);
    expect(await refusal(await send('GET', '/sessions'))).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    for (const token of [a.token, strangerToken]) {
      expect(await refusal(await send('GET', '/sessions', token))).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
    }
    const listed = await send('GET', '/sessions', adminToken);
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(
      (JSON.parse(text) as { sessions: { id: string }[] }).sessions.map((s) => s.id).sort(),
    ).toEqual([a.id, b.id].sort());
    // Tokens are kept as hashes and never shown again.
    expect(text).not.toContain(a.token);
    expect(text).not.toContain(b.token);
  });

  it('refuses every route of a session without its token, and answers a wrong token as for a session that does not exist', async () => {
    const routes: [string, string, unknown][] = [
      ['GET', `/sessions/${a.id}`, undefined],
      ['GET', `/sessions/${a.id}?framesAfter=0`, undefined],
      ['POST', `/sessions/${a.id}/params`, { params: { saturation: 0 } }],
      ['POST', `/sessions/${a.id}/faults`, { pipelineDelayMs: 5_000, durationMs: 30_000 }],
      ['POST', `/sessions/${a.id}/payment`, { payment: {} }],
      ['DELETE', `/sessions/${a.id}`, undefined],
    ];
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, path, body] of routes) {
      expect({
        method,
        path,
        ...(await refusal(await send(method, path, undefined, body))),
      }).toMatchObject({ method, path, status: 401, code: 'unauthorized' });
      for (const token of [b.token, strangerToken]) {
        const wrong = await refusal(await send(method, path, token, body));
        const none = await refusal(await send(method, path.replace(a.id, missing), token, body));
        expect({ method, path, ...wrong }).toMatchObject({
          method,
          path,
          status: 404,
          code: 'session_not_found',
        });
        // Same answer as for an id nobody has: a stranger learns nothing about which exist.
        expect(wrong.message.replace(a.id, missing)).toBe(none.message);
        expect({ status: none.status, code: none.code }).toEqual({
          status: wrong.status,
          code: wrong.code,
        });
      }
    }
    // The operator may read and end sessions, not act as their sender.
    expect((await send('GET', `/sessions/${a.id}`, adminToken)).status).toBe(200);
    expect(
      await refusal(await send('POST', `/sessions/${a.id}/params`, adminToken, { params: {} })),
    ).toMatchObject({ status: 403, code: 'forbidden' });

    // Nothing was lost: both sessions live, a's params untouched, no delay injected.
    expect(isLive(a.id) && isLive(b.id)).toBe(true);
    expect(paramsOf(a.id)?.saturation).toBe(1.5);
    const view = await send('GET', `/sessions/${a.id}`, a.token);
    expect(view.status).toBe(200);
    expect(((await view.json()) as { id: string }).id).toBe(a.id);
  });

  it('lets the creator change and end its session, and only its own', async () => {
    const changed = await postJson(
      `${orchestrator.url}/sessions/${a.id}/params`,
      { params: { saturation: 0.25 } },
      a.token,
    );
    expect(changed.status).toBe(200);
    expect(paramsOf(a.id)?.saturation).toBe(0.25);
    expect((await send('DELETE', `/sessions/${b.id}`, a.token)).status).toBe(404);
    expect((await send('DELETE', `/sessions/${a.id}`, a.token)).status).toBe(204);
    await expect.poll(() => orchestrator.sessions.has(a.id), { timeout: 5_000 }).toBe(false);
    // Its token opens nothing any more; b lives on.
    expect((await send('GET', `/sessions/${a.id}`, a.token)).status).toBe(404);
    expect(isLive(b.id)).toBe(true);
    expect((await send('GET', `/sessions/${b.id}`, b.token)).status).toBe(200);
    // The operator may end any session.
    expect((await send('DELETE', `/sessions/${b.id}`, adminToken)).status).toBe(204);
    await expect.poll(() => orchestrator.sessions.has(b.id), { timeout: 5_000 }).toBe(false);
  });
});

describe('a stranger cannot end a key-protected, paid stream through the orchestrator', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('refuses the six DELETEs; the gateway keeps its session and pays no second upfront', async () => {
    const gatewayAdmin = 'gateway-admin-token-0123456789';
    stack = await startStack({ chain: true, adminToken: gatewayAdmin });
    const created = await postJson(`${stack.gatewayUrl}/admin/stream-keys`, {}, gatewayAdmin);
    const { key } = (await created.json()) as { key: string };
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
      token: key,
    });
    try {
      const [before] = await stack.streams();
      if (!before) throw new Error('no stream');
      const sessionUrl = `${stack.orchestratorUrl}/sessions/${before.orchestratorSessionId}`;
      // What the attacker sees: the orchestrator's URL is public, its session list is not.
      expect((await fetch(`${stack.orchestratorUrl}/sessions`)).status).toBe(401);
      for (let i = 0; i < 6; i++) {
        const token = i % 2 === 0 ? undefined : `${strangerToken}${i}`;
        const res = await fetch(sessionUrl, {
          method: 'DELETE',
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        });
        expect(await refusal(res)).toMatchObject(
          token
            ? { status: 404, code: 'session_not_found' }
            : { status: 401, code: 'unauthorized' },
        );
      }
      const params = await postJson(`${sessionUrl}/params`, { params: {} });
      expect(params.status).toBe(401);

      // Video keeps flowing through the same orchestrator session: never swapped, so no second
      // session and no second upfront payment; its credit is intact.
      const probe = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 3_000,
      });
      expect(probe.framesReturned / probe.framesSent).toBeGreaterThan(0.8);
      const [after] = await stack.streams();
      expect(after).toMatchObject({
        id: before.id,
        orchestratorSessionId: before.orchestratorSessionId,
        swaps: 0,
        state: 'live',
      });
      expect((await stack.sessions()).map((s) => s.id)).toEqual([before.orchestratorSessionId]);
      const view = (await stack.session(before.orchestratorSessionId)) as { balanceWei?: string };
      expect(BigInt(view.balanceWei ?? -1)).toBeGreaterThan(0n);
    } finally {
      await publisher.close();
    }
  });
});

describe('a paid session takes payments from the sender that opened it only', () => {
  it('refuses another sender’s tickets whole (403 wrong_sender) before crediting or consuming any', async () => {
    const chain = await startPaidChain();
    const orchestrator = await chain.startOrchestrator();
    try {
      const other = chain.protocol.accounts[8];
      if (!other) throw new Error('no account 8');
      await fundDepositAndReserve(chain.protocol.walletClient(other), {
        ...chain.protocol,
        depositWei: parseEth('1'),
        reserveWei: parseEth('1'),
      });
      const owner = new TicketSender({ account: chain.senderAccount });
      const stranger = new TicketSender({ account: other });
      const session = await openPaidSession(
        orchestrator,
        await signPayment(orchestrator.url, owner, 4_000_000_000_000n),
      );
      try {
        // Even with the session's token (say it leaked), the stranger's tickets are refused.
        const payment = await signPayment(orchestrator.url, stranger, 4_000_000_000_000n);
        const before = await sessionBalance(orchestrator.url, session);
        const refused = await refusal(
          await postJson(
            `${orchestrator.url}/sessions/${session.id}/payment`,
            { payment },
            session.token,
          ),
        );
        expect(refused).toMatchObject({ status: 403, code: 'wrong_sender' });
        expect(await sessionBalance(orchestrator.url, session)).toBeLessThanOrEqual(before);
        // Not one of them was consumed: they open the stranger's own session.
        const own = await openPaidSession(orchestrator, payment);
        expect(orchestrator.sessions.has(own.id)).toBe(true);
        await own.close();
      } finally {
        await session.close();
      }
    } finally {
      await orchestrator.close();
      await chain.close();
    }
  });
});
