import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { GatewayServer, type SfuAdapter, weriftSfu } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../helpers/inProcessStack.ts';

const adminToken = 'keys-admin-token-0123456789';

/**
 * The werift SFU with a gate before each publisher's answer (the last step of a publish, after
 * the orchestrator session exists): a test holds publishes there to act while they are made.
 */
function gatedSfu() {
  let open = true;
  let release: () => void = () => {};
  let gate = Promise.resolve();
  const held: string[] = [];
  const sfu: SfuAdapter = {
    ...weriftSfu,
    answer: async (offerSdp, options) => {
      if (!open && options?.direction !== 'sendonly') {
        held.push(offerSdp);
        await gate;
      }
      return weriftSfu.answer(offerSdp, options);
    },
  };
  return {
    sfu,
    /** Publishes waiting at the gate so far. */
    held: () => held.length,
    close() {
      open = false;
      held.length = 0;
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    open() {
      open = true;
      release();
    },
  };
}

/** What a promise settled to: the publisher, or the refusal's status and code. */
async function settled(
  promise: Promise<NodeWhipPublisher>,
): Promise<NodeWhipPublisher | { status: number | undefined; code: string | undefined }> {
  return promise.catch((error: { status?: number; code?: string }) => ({
    status: error.status,
    code: error.code,
  }));
}

// Item 11 of issue 13: `maxStreams` was checked before the asynchronous create (three parallel
// POSTs with a key limited to 2 gave more live streams than allowed), a key revoked during a
// create left that stream live, and keys vanished when the gateway restarted.
describe('gateway: stream keys under races and restarts (issue 13, item 11)', () => {
  let orchestrator: OrchestratorServer;
  let dir: string;
  const publishers: NodeWhipPublisher[] = [];
  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create({ maxSessions: 8 });
    dir = mkdtempSync(join(tmpdir(), 'peerframe-keys-'));
  });
  afterAll(async () => {
    gate.open();
    await Promise.all(publishers.map((p) => p.close()));
    await gateway?.close();
    await orchestrator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const startGateway = (sfu: SfuAdapter) =>
    GatewayServer.create({
      orchestrators: [orchestrator.url],
      adminToken,
      streamKeyStorePath: join(dir, 'keys.sqlite'),
      sfu,
    });
  const admin = async (gateway: GatewayServer, path: string, method = 'GET', body?: unknown) => {
    const res = await httpRequest(`${gateway.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: JSON.parse(res.text) as Record<string, unknown> };
  };
  const publish = async (gateway: GatewayServer, key: string) => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'passthrough',
      token: key,
    });
    publishers.push(publisher);
    return publisher;
  };

  const gate = gatedSfu();
  let gateway: GatewayServer;
  let twoKey = '';
  let revokedKey = '';

  it('reserves a key’s slot before the asynchronous create: parallel publishes stay within maxStreams', async () => {
    gateway = await startGateway(gate.sfu);
    const limited = await admin(gateway, '/stream-keys', 'POST', { name: 'two', maxStreams: 2 });
    twoKey = limited.json.key as string;
    // Three parallel publishes with a key that allows 2, held while they are made: each is either
    // held at the gate (it passed the key's check) or refused.
    gate.close();
    const refusals: unknown[] = [];
    const tries = [0, 1, 2].map(() =>
      settled(publish(gateway, twoKey)).then((result) => {
        if (!(result instanceof NodeWhipPublisher)) refusals.push(result);
        return result;
      }),
    );
    await expect.poll(() => gate.held() + refusals.length, { timeout: 20_000 }).toBe(3);
    gate.open();
    await Promise.all(tries);
    expect(refusals).toEqual([{ status: 429, code: 'too_many_streams' }]);
    // Nothing lost: the two the key allows are live.
    expect(gateway.streams.size).toBe(2);
  });

  it('re-checks revocation after the create: a key revoked meanwhile gets no live stream', async () => {
    const created = await admin(gateway, '/stream-keys', 'POST', { name: 'revoked' });
    revokedKey = created.json.key as string;
    const streamsBefore = gateway.streams.size;
    const sessionsBefore = orchestrator.sessions.size;
    gate.close();
    const pending = settled(publish(gateway, revokedKey));
    await expect.poll(gate.held, { timeout: 20_000 }).toBe(1);
    // The orchestrator session is made while the publisher's answer is held (the two run in
    // parallel); the publisher is not answered yet.
    await expect
      .poll(() => orchestrator.sessions.size, { timeout: 20_000 })
      .toBe(sessionsBefore + 1);
    const revoked = await admin(gateway, `/stream-keys/${created.json.id}`, 'DELETE');
    expect(revoked.status).toBe(200);
    gate.open();
    expect(await pending).toEqual({ status: 403, code: 'stream_key_revoked' });
    expect(gateway.streams.size).toBe(streamsBefore);
    // Nothing lost: its orchestrator session is ended, the slot free again.
    await expect.poll(() => orchestrator.sessions.size, { timeout: 5_000 }).toBe(sessionsBefore);
  });

  it('keeps keys across a restart, hashed in an owner-only sqlite file; revoked stays revoked', async () => {
    await Promise.all(publishers.splice(0).map((p) => p.close()));
    await gateway.close();
    const path = join(dir, 'keys.sqlite');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(path);
    expect(bytes.includes(twoKey)).toBe(false);
    expect(bytes.includes(twoKey.slice('pf_sk_'.length))).toBe(false);
    gateway = await startGateway(weriftSfu);
    expect(await settled(publish(gateway, revokedKey))).toEqual({
      status: 403,
      code: 'stream_key_revoked',
    });
    const again = await publish(gateway, twoKey);
    expect(gateway.streams.get(again.streamId)?.state).not.toBe('ended');
    const listed = await admin(gateway, '/stream-keys');
    expect((listed.json.streamKeys as { name: string }[]).map((k) => k.name)).toEqual([
      'two',
      'revoked',
    ]);
  });
});
