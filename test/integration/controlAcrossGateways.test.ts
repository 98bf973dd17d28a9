import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RedisServer, startRedisServer } from '@peerframe/cli';
import { ControlClient } from '@peerframe/client-sdk';
import { TypedEmitter } from '@peerframe/core';
import {
  ControlChannel,
  type ControlledStream,
  OriginPolicy,
  type StreamSessionEvents,
} from '@peerframe/gateway';
import type { StreamState, StreamStats } from '@peerframe/wire';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A stream gateway A holds, as its control channel sees it: its state changes when the test says,
 * and `onAnswer` runs in the tick after A read it for a join's answer.
 */
class HeldStream extends TypedEmitter<StreamSessionEvents> implements ControlledStream {
  readonly id = randomUUID();
  readonly params = {};
  state: StreamState = 'warming';
  stateSeq = 1;
  onAnswer: (() => void) | undefined;

  setState(state: StreamState): void {
    if (state === this.state) return;
    this.state = state;
    this.stateSeq++;
    this.emit('state', state, this.stateSeq);
  }

  stats(): StreamStats {
    if (this.onAnswer) queueMicrotask(this.onAnswer);
    return {
      id: this.id,
      state: this.state,
      pipeline: 'passthrough',
      orchestrator: '',
      orchestratorSessionId: '',
      swaps: 0,
      playbackId: 'p',
      codec: 'VP8',
      viewers: 0,
      packetsFromPublisher: 0,
      packetsToOrchestrator: 0,
      packetsFromOrchestrator: 0,
      packetsToPublisher: 0,
      keyframeRequestsToPublisher: 0,
      keyframeRequestsToOrchestrator: 0,
      packetsDropped: 0,
      packetsLost: 0,
      priceWeiPerSecond: '0',
      spentWei: '0',
      balanceWei: '0',
    };
  }

  orchestratorStats(): undefined {
    return undefined;
  }

  async updateParams(): Promise<void> {}

  async close(): Promise<void> {
    this.setState('ended');
  }
}

/**
 * Hands the adapter what reaches this Redis subscriber in batches, each message of a batch in
 * order within one tick, as they come when one read of the socket holds several: a gateway gets
 * another's join answer and the state event that followed it in one go.
 */
function batchMessages(sub: Redis): Redis {
  const emit = sub.emit.bind(sub);
  let held: [string, unknown[]][] = [];
  sub.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== 'messageBuffer' && event !== 'pmessageBuffer') return emit(event, ...args);
    if (held.length === 0) {
      setTimeout(() => {
        const batch = held;
        held = [];
        for (const [name, values] of batch) emit(name, ...values);
      }, 50);
    }
    held.push([event, args]);
    return true;
  }) as typeof sub.emit;
  return sub;
}

// Control channels of two gateways sharing a real redis-server through socket.io's Redis adapter,
// with a control client of the real SDK on B for a stream A holds.
describe('control channel across gateways', () => {
  let redis: RedisServer;
  const closers: (() => Promise<void> | void)[] = [];

  /** A gateway's control channel on its own HTTP server, sharing Redis. */
  async function startControl(
    stream: ControlledStream | undefined,
    { batched = false } = {},
  ): Promise<string> {
    const pub = new Redis(redis.url);
    const sub = pub.duplicate();
    closers.push(() => {
      pub.disconnect();
      sub.disconnect();
    });
    const http = createServer();
    const channel = new ControlChannel(http, {
      stream: (id) => (id === stream?.id ? stream : undefined),
      keyOfStream: () => undefined,
      verifyKey: undefined,
      origins: new OriginPolicy([]),
      adapter: createAdapter(pub, batched ? batchMessages(sub) : sub, { requestsTimeout: 3_000 }),
    });
    closers.push(() => channel.close());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await redis?.close();
  });

  it('gives a client on B the state a stream on A took right after answering its join', async () => {
    const stream = new HeldStream();
    // A's stream goes live in the tick A answers B's join: its state event follows the answer.
    stream.onAnswer = () => stream.setState('live');
    await startControl(stream);
    const b = await startControl(undefined, { batched: true });
    const probe = new Redis(redis.url);
    closers.push(() => probe.disconnect());
    // Both gateways listen for each other's requests.
    await expect
      .poll(() => probe.pubsub('NUMSUB', 'socket.io-request#/streams#'), { timeout: 5_000 })
      .toEqual(['socket.io-request#/streams#', 2]);

    const client = await ControlClient.connect({ gatewayUrl: b, streamId: stream.id });
    const states: StreamState[] = [];
    client.on('state', (state) => states.push(state));
    try {
      await expect.poll(() => client.state, { timeout: 3_000 }).toBe('live');
      // And the events after it reach the client on B.
      stream.onAnswer = undefined;
      stream.setState('reconnecting');
      await expect.poll(() => client.state, { timeout: 3_000 }).toBe('reconnecting');
      expect(states.at(-1)).toBe('reconnecting');
    } finally {
      client.close();
    }
  });
});
