import { ControlClient, type ControlError } from '@peerframe/client-sdk';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const adminToken = 'test-admin-token-0123456789';

describe('stream keys and the admin API', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ adminToken });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const admin = (path: string, init: RequestInit = {}, token = adminToken) =>
    fetch(`${stack.gatewayUrl}/admin${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
  const createKey = async (body: Record<string, unknown>) => {
    const res = await admin('/stream-keys', { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; key: string; allowedPipelines: string[] };
  };
  const errorOf = async (promise: Promise<unknown>) => {
    const error = (await promise.then(
      () => undefined,
      (e: unknown) => e,
    )) as { status?: number; code?: string } | undefined;
    return { status: error?.status, code: error?.code };
  };

  it('guards the admin API with the admin token', async () => {
    expect((await fetch(`${stack.gatewayUrl}/admin/stream-keys`)).status).toBe(401);
    expect((await admin('/stream-keys', {}, 'wrong-token')).status).toBe(403);
    expect((await fetch(`${stack.gatewayUrl}/streams`)).status).toBe(401);
    const bad = await admin('/stream-keys', {
      method: 'POST',
      body: JSON.stringify({ maxStreams: 0 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /maxStreams/,
    );
  });

  it('refuses publishing without a key, with a wrong one, or outside the key’s pipelines', async () => {
    const whipUrl = stack.whipUrl;
    expect(await errorOf(NodeWhipPublisher.connect({ whipUrl }))).toEqual({
      status: 401,
      code: 'unauthorized',
    });
    expect(await errorOf(NodeWhipPublisher.connect({ whipUrl, token: 'pf_sk_wrong' }))).toEqual({
      status: 401,
      code: 'invalid_stream_key',
    });
    const { key } = await createKey({ name: 'invert only', allowedPipelines: ['invert'] });
    expect(
      await errorOf(NodeWhipPublisher.connect({ whipUrl, token: key, pipeline: 'passthrough' })),
    ).toEqual({
      status: 403,
      code: 'pipeline_not_allowed',
    });
  });

  it('publishes with a valid key, limits live streams per key, and revoking ends the stream', async () => {
    const { id, key } = await createKey({ name: 'creator', maxStreams: 1 });
    const listed = (await (await admin('/stream-keys')).json()) as { streamKeys: { id: string }[] };
    expect(listed.streamKeys.map((k) => k.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain(key);

    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      token: key,
      pipeline: 'invert',
    });
    try {
      expect(await stack.streams()).toHaveLength(1);
      expect(
        await errorOf(NodeWhipPublisher.connect({ whipUrl: stack.whipUrl, token: key })),
      ).toEqual({
        status: 429,
        code: 'too_many_streams',
      });
      // Its control channel takes the same key: none is refused, another key may not join.
      const noKey = await ControlClient.connect({
        gatewayUrl: stack.gatewayUrl,
        streamId: publisher.streamId,
      }).catch((e: unknown) => e as ControlError);
      expect((noKey as ControlError).code).toBe('unauthorized');
      const { key: otherKey } = await createKey({ name: 'someone else' });
      const other = await ControlClient.connect({
        gatewayUrl: stack.gatewayUrl,
        streamId: publisher.streamId,
        streamKey: otherKey,
      }).catch((e: unknown) => e as ControlError);
      expect((other as ControlError).code).toBe('forbidden');
      const control = await ControlClient.connect({
        gatewayUrl: stack.gatewayUrl,
        streamId: publisher.streamId,
        streamKey: key,
      });
      control.close();
      // Ending a stream takes the key that published it.
      const [stream] = await stack.streams();
      const foreign = await fetch(`${stack.gatewayUrl}/whip/${stream?.id}`, { method: 'DELETE' });
      expect(foreign.status).toBe(403);

      const revoked = await admin(`/stream-keys/${id}`, { method: 'DELETE' });
      expect(revoked.status).toBe(200);
      expect(((await revoked.json()) as { endedStreams: string[] }).endedStreams).toEqual([
        stream?.id,
      ]);
      await expect.poll(async () => (await stack.streams()).length).toBe(0);
      expect(
        await errorOf(NodeWhipPublisher.connect({ whipUrl: stack.whipUrl, token: key })),
      ).toEqual({
        status: 403,
        code: 'stream_key_revoked',
      });
    } finally {
      await publisher.close();
    }
  });
});
