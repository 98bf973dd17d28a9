import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ControlClient,
  ControlError,
  type ServingOrchestrator,
  type SessionPayment,
} from './ControlClient.ts';

/**
 * A socket.io server speaking the gateway's `/streams` protocol for one stream. With
 * `liveAfterJoin` the stream goes live in the tick it answers a join, as a gateway's does when the
 * orchestrator's first packet comes right then. With `joinReply` it answers a join with that
 * (default: warming, without the `stateSeq` of gateways that predate it), after sending
 * `eventsBeforeReply` to the room.
 */
async function fakeGateway(
  streamId: string,
  {
    liveAfterJoin = false,
    joinReply = { state: 'warming' } as Record<string, unknown>,
    eventsBeforeReply = [] as Record<string, unknown>[],
  } = {},
) {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.of('/streams').on('connection', (socket) => {
    socket.on('join', (_request: unknown, ack: (reply: unknown) => void) => {
      void socket.join('s');
      for (const event of eventsBeforeReply)
        io.of('/streams')
          .to('s')
          .emit('state', { streamId, ...event });
      ack({ ok: true, ...joinReply });
      if (liveAfterJoin) io.of('/streams').to('s').emit('state', { streamId, state: 'live' });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    emit: (event: string, body: Record<string, unknown>) =>
      io
        .of('/streams')
        .to('s')
        .emit(event, { streamId, ...body }),
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}

describe('ControlClient', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('passes warming on, turns decimal wei into bigint and drops malformed events', async () => {
    const gateway = await fakeGateway('abc');
    close = gateway.close;
    const client = await ControlClient.connect({ gatewayUrl: gateway.url, streamId: 'abc' });
    try {
      expect(client.state).toBe('warming');
      const payments: SessionPayment[] = [];
      const orchestrators: ServingOrchestrator[] = [];
      client.on('payment', (p) => payments.push(p));
      client.on('orchestrator', (o) => orchestrators.push(o));
      const big = '123456789012345678901234567890';
      gateway.emit('orchestrator', { url: 'http://o', priceWeiPerSecond: '2500' });
      gateway.emit('payment', { priceWeiPerSecond: '2500', spentWei: big, balanceWei: '0' });
      // Not wei, or no price: dropped, never a wrong number.
      gateway.emit('payment', { priceWeiPerSecond: '1e3', spentWei: '1', balanceWei: '1' });
      gateway.emit('payment', { streamId: 'other', priceWeiPerSecond: '1', spentWei: '1' });
      gateway.emit('orchestrator', { url: 'http://p' });
      // A stream in debt: its balance is negative.
      gateway.emit('payment', { priceWeiPerSecond: '2500', spentWei: big, balanceWei: '-2500' });
      gateway.emit('orchestrator', { url: 'http://q', priceWeiPerSecond: '0' });
      await expect.poll(() => orchestrators.length, { timeout: 5_000, interval: 20 }).toBe(2);
      expect(orchestrators).toEqual([
        { url: 'http://o', priceWeiPerSecond: 2500n },
        { url: 'http://q', priceWeiPerSecond: 0n },
      ]);
      expect(payments).toEqual([
        { priceWeiPerSecond: 2500n, spentWei: BigInt(big), balanceWei: 0n },
        { priceWeiPerSecond: 2500n, spentWei: BigInt(big), balanceWei: -2500n },
      ]);
    } finally {
      client.close();
    }
  });

  it('keeps a state that came while it joined over the older one its join answer holds', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const gateway = await fakeGateway('abc', { liveAfterJoin: true });
      close = gateway.close;
      const states: string[] = [];
      const client = await ControlClient.connect({ gatewayUrl: gateway.url, streamId: 'abc' });
      client.on('state', (state) => states.push(state));
      try {
        // Settled: nothing more is coming.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(client.state).toBe('live');
        expect(states).toEqual([]);
      } finally {
        client.close();
        await gateway.close();
        close = undefined;
      }
    }
  });

  it("keeps the state with the highest stateSeq, whichever of a join's reply and an event comes first", async () => {
    // Through another gateway, an event the stream's gateway sent before it answered can reach
    // the client before the reply: the reply (2) is the newer.
    const gateway = await fakeGateway('abc', {
      joinReply: { state: 'live', stateSeq: 2 },
      eventsBeforeReply: [{ state: 'warming', stateSeq: 1 }],
    });
    close = gateway.close;
    const client = await ControlClient.connect({ gatewayUrl: gateway.url, streamId: 'abc' });
    const states: string[] = [];
    client.on('state', (state) => states.push(state));
    try {
      expect(client.state).toBe('live');
      // Older than the state held (or the same): dropped; newer: taken.
      gateway.emit('state', { state: 'warming', stateSeq: 1 });
      gateway.emit('state', { state: 'warming', stateSeq: 2 });
      gateway.emit('state', { state: 'reconnecting', stateSeq: 3 });
      gateway.emit('state', { state: 'live', stateSeq: 2 });
      // Not a whole number from 0: dropped, as any malformed event.
      gateway.emit('state', { state: 'ended', stateSeq: -4 });
      gateway.emit('state', { state: 'ended', stateSeq: '5' });
      gateway.emit('state', { state: 'live', stateSeq: 4 });
      await expect.poll(() => states.length, { timeout: 5_000, interval: 20 }).toBe(2);
      expect(states).toEqual(['reconnecting', 'live']);
    } finally {
      client.close();
    }
  });

  it('refuses a join reply whose stateSeq is not a whole number, naming it', async () => {
    const gateway = await fakeGateway('abc', { joinReply: { state: 'live', stateSeq: 1.5 } });
    close = gateway.close;
    const refused = await ControlClient.connect({ gatewayUrl: gateway.url, streamId: 'abc' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ControlError);
    expect(refused).toMatchObject({ code: 'invalid_event' });
    expect((refused as ControlError).shortMessage).toContain('reply.stateSeq');
  });
});
