import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectFramesBack,
  httpRequest,
  type InProcessStack,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

const adminToken = 'metrics-admin-token-0123456789';

// Item 16 of issue 13: with an admin token, `/metrics` listed stream ids (which end streams) to
// anyone.
describe('gateway: /metrics with stream keys in force (issue 13, item 16)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack({ gateway: { adminToken } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('needs the admin token, and serves the per-stream series to it', async () => {
    const { gateway } = stack;
    const created = await httpRequest(`${gateway.url}/admin/stream-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const { key } = JSON.parse(created.text) as { key: string };
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'invert',
      token: key,
    });
    try {
      // Per-second series exist once a second of the stream went by.
      await expectFramesBack(publisher);
      const id = publisher.streamId;

      const anonymous = await httpRequest(`${gateway.url}/metrics`);
      expect({ status: anonymous.status, code: anonymous.code }).toEqual({
        status: 401,
        code: 'unauthorized',
      });
      expect(anonymous.text).not.toContain(id);
      const wrong = await httpRequest(`${gateway.url}/metrics`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect({ status: wrong.status, code: wrong.code }).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(wrong.text).not.toContain(id);

      const admin = await httpRequest(`${gateway.url}/metrics`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(admin.status).toBe(200);
      expect(admin.text).toContain(`stream="${id}"`);
      // Nothing lost: the stream is live.
      expect(gateway.streams.get(id)?.state).toBe('live');
    } finally {
      await publisher.close();
    }
  });
});
