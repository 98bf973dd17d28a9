import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnectedSession } from '../helpers/fuzz/startFuzzStack.ts';
import { postJson, refusal, sessionParams } from '../helpers/paidOrchestrator.ts';

// Issue 13, item 2: JSON routes took `text/plain`, which any web page may send to any origin
// without a CORS preflight: `POST /sessions/:id/params` with `content-type: text/plain` → 200.
// Every JSON route of both nodes now answers 415 unless the body comes as application/json.

const adminToken = 'security-admin-token-0123456789';
const crossSiteTypes = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];

describe('JSON routes take application/json only (no simple cross-site requests)', () => {
  let orchestrator: OrchestratorServer;
  let gateway: GatewayServer;
  let session: Awaited<ReturnType<typeof openConnectedSession>>;
  let publisher: NodeWhipPublisher;
  const paramsOf = () => sessionParams(orchestrator, session.id);

  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create({ faultInjection: true, adminToken });
    session = await openConnectedSession(
      orchestrator.url,
      'color-grade',
      (id) => orchestrator.sessions.get(id)?.state === 'live',
      { params: { saturation: 1.5 } },
    );
    gateway = await GatewayServer.create({
      orchestrators: [orchestrator.url],
      adminToken,
      faultInjection: true,
    });
    const created = await postJson(`${gateway.url}/admin/stream-keys`, {}, adminToken);
    const { key } = (await created.json()) as { key: string };
    publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'passthrough',
      token: key,
    });
  });
  afterAll(async () => {
    await publisher?.close();
    await session?.close();
    await gateway?.close();
    await orchestrator?.close();
  });

  it('orchestrator: refuses a params change sent as text/plain, even with the session token', async () => {
    const url = `${orchestrator.url}/sessions/${session.id}/params`;
    for (const type of crossSiteTypes) {
      expect(
        await refusal(await postJson(url, { params: { saturation: 0 } }, session.token, type)),
      ).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    }
    // Nothing changed: the session runs with its params, and the JSON route itself still works.
    expect(paramsOf()?.saturation).toBe(1.5);
    expect(orchestrator.sessions.get(session.id)?.state).toBe('live');
    const ok = await postJson(url, { params: { saturation: 0.5 } }, session.token);
    expect(ok.status).toBe(200);
    expect(paramsOf()?.saturation).toBe(0.5);
  });

  it("orchestrator: refuses every other JSON route's body unless it is application/json", async () => {
    const base = orchestrator.url;
    const sessionsBefore = orchestrator.sessions.size;
    const cases: [string, unknown][] = [
      ['/sessions', { sdp: 'v=0', pipeline: 'passthrough' }],
      [`/sessions/${session.id}/faults`, { pipelineDelayMs: 100, durationMs: 1_000 }],
    ];
    for (const [path, body] of cases) {
      for (const type of [...crossSiteTypes, '']) {
        const res = await postJson(`${base}${path}`, body, session.token, type);
        expect({ path, type, ...(await refusal(res)) }).toMatchObject({
          path,
          type,
          status: 415,
          code: 'unsupported_media_type',
        });
      }
    }
    // No session was opened, the live one was not slowed down.
    expect(orchestrator.sessions.size).toBe(sessionsBefore);
    expect(orchestrator.sessions.get(session.id)?.state).toBe('live');
  });

  it('gateway: refuses admin and fault-injection bodies unless they are application/json', async () => {
    const keys = async () =>
      (
        (await (
          await fetch(`${gateway.url}/admin/stream-keys`, {
            headers: { authorization: `Bearer ${adminToken}` },
          })
        ).json()) as { streamKeys: unknown[] }
      ).streamKeys.length;
    const before = await keys();
    for (const type of crossSiteTypes) {
      const created = await postJson(
        `${gateway.url}/admin/stream-keys`,
        { maxStreams: 100 },
        adminToken,
        type,
      );
      expect(await refusal(created)).toMatchObject({
        status: 415,
        code: 'unsupported_media_type',
      });
      const faults = await postJson(
        `${gateway.url}/streams/${publisher.streamId}/faults`,
        { dropToOrchestratorRatio: 1, durationMs: 10_000 },
        undefined,
        type,
      );
      expect(await refusal(faults)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    }
    // No key was made; the stream goes on, nothing dropped on purpose.
    expect(await keys()).toBe(before);
    const stream = gateway.streams.get(publisher.streamId);
    expect(stream?.stats().state).not.toBe('ended');
    expect(stream?.stats().packetsDropped).toBe(0);
  });
});
