import { GatewayServer } from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('gateway rate limits', () => {
  let gateway: GatewayServer;
  beforeAll(async () => {
    // No orchestrator needs to answer: every request here is refused before one is asked.
    gateway = await GatewayServer.create({
      orchestrators: ['http://127.0.0.1:9'],
      requestsPer10s: 5,
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 429 with Retry-After once a client used up its WHIP requests, and keeps serving others', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await fetch(gateway.whipUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
      } else await res.body?.cancel();
    }
    // The first 5 are judged (bad SDP: 400), the rest refused.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // WHEP has its own budget, and reads are not limited.
    expect(
      (
        await fetch(`${gateway.url}/whep/none`, {
          method: 'POST',
          headers: { 'content-type': 'application/sdp' },
          body: 'v=0',
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });
});
