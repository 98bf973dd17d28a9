import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('gateway drain (SIGTERM)', () => {
  let orchestrator: OrchestratorServer;
  let gateway: GatewayServer;
  beforeAll(async () => {
    orchestrator = await OrchestratorServer.create();
    gateway = await GatewayServer.create({ orchestrators: [orchestrator.url] });
  });
  afterAll(async () => {
    await gateway?.close();
    await orchestrator?.close();
  });

  it('takes no new stream, tells live streams why, and ends them after the grace', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${gateway.url}/whip`,
      pipeline: 'passthrough',
    });
    const control = io(`${gateway.url}/streams`, { transports: ['websocket'] });
    try {
      const errors: { code: string; message: string }[] = [];
      control.on('error', (event: { code: string; message: string }) => errors.push(event));
      const states: string[] = [];
      control.on('state', ({ state }: { state: string }) => states.push(state));
      expect(
        (await control.timeout(5_000).emitWithAck('join', { streamId: publisher.streamId })).ok,
      ).toBe(true);

      const drained = gateway.drain(1_500);
      const refused = await fetch(`${gateway.url}/whip`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: 'v=0\r\n',
      });
      // Even before the offer is read, a draining gateway answers with a retryable 503.
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('draining');
      const health = await fetch(`${gateway.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, draining: true, streams: 1 });
      await expect.poll(() => errors.map((e) => e.code)).toContain('gateway_draining');
      expect(gateway.streams.size).toBe(1);
      await drained;
      expect(gateway.streams.size).toBe(0);
      await expect.poll(() => states).toContain('ended');
      // Drained, it has closed: nothing listens any more.
      await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    } finally {
      control.close();
      await publisher.close();
    }
  });
});
