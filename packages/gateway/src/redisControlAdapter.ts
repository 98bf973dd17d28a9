import type { Logger } from '@peerframe/core';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { RedisMetrics } from './RedisMetrics.ts';

/**
 * socket.io's Redis adapter for the control channel of several gateways: events of a stream's
 * room reach its control clients on every gateway, and one gateway asks the others
 * (`serverSideEmitWithAck`) about streams it does not hold. While Redis is away nothing queues:
 * local clients still get their stream's events, remote ones miss them until it returns.
 */
export function redisControlAdapter(
  url: string,
  log: Logger,
  metrics?: RedisMetrics,
): { adapter: ReturnType<typeof createAdapter>; close(): void } {
  const pub = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // Subscriptions are made before the first connection and made again after each reconnection.
  const sub = pub.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  metrics?.watch(pub, 'control_publish');
  metrics?.watch(sub, 'control_subscribe');
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => log.debug({ err: error }, 'control adapter: Redis error'));
  }
  // The adapter publishes without awaiting: a publish while Redis is away must not end the
  // process as an unhandled rejection. It is a lost broadcast, which the next `stats` replaces.
  const publish = pub.publish.bind(pub);
  pub.publish = ((channel: string, message: string) => {
    const sent = publish(channel, message);
    sent.catch((error: unknown) => {
      metrics?.broadcastLost();
      log.debug({ err: error, channel }, 'control adapter: broadcast lost (Redis unreachable)');
    });
    return sent;
  }) as typeof pub.publish;
  return {
    adapter: createAdapter(pub, sub, { requestsTimeout: 3_000 }),
    close() {
      pub.disconnect();
      sub.disconnect();
    },
  };
}
