import { type RedisServer, startRedisServer } from '@peerframe/cli';
import { GatewayStateUnavailableError, RedisGatewayState, RedisMetrics } from '@peerframe/gateway';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const codec = { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' } as const;

// The state two gateways share, on a real redis-server: what one writes the other reads, and a
// key's slots hold across both.
describe('RedisGatewayState', () => {
  let redis: RedisServer;
  let one: RedisGatewayState;
  let two: RedisGatewayState;
  // `one` counts its connection and calls, as a gateway's /metrics shows them.
  const registry = new Registry();
  /** A metric's value with these labels; `sample` picks a histogram's `_count` or `_sum`. */
  const metric = async (
    name: string,
    labels: Record<string, string>,
    sample = name,
  ): Promise<number> => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const found = values.find(
      (v) =>
        ((v as { metricName?: string }).metricName ?? name) === sample &&
        Object.entries(labels).every(([k, value]) => v.labels[k] === value),
    );
    return found?.value ?? 0;
  };
  const timed = (labels: Record<string, string>) =>
    metric(
      'peerframe_gateway_redis_command_duration_seconds',
      labels,
      'peerframe_gateway_redis_command_duration_seconds_count',
    );
  beforeAll(async () => {
    redis = await startRedisServer();
    const metrics = new RedisMetrics();
    metrics.registerIn(registry);
    one = await RedisGatewayState.create({ url: redis.url, streamTtlMs: 1_000, metrics });
    two = await RedisGatewayState.create({ url: redis.url, streamTtlMs: 1_000 });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.close();
  });

  it('shares keys (digests only), revocations, streams and playback ids', async () => {
    const { key, record } = await one.createKey({ name: 'k', maxPriceWeiPerSecond: 7n });
    expect(await two.findKey(key)).toEqual(record);
    expect(await two.findKey(`${key}x`)).toBeUndefined();
    expect((await two.revokeKey(record.id))?.revokedAt).toEqual(expect.any(String));
    expect((await one.getKey(record.id))?.revokedAt).toEqual(expect.any(String));

    const stream = {
      streamId: 's1',
      playbackId: 'p1',
      sourcePlaybackId: 'sp1',
      gatewayUrl: 'http://127.0.0.1:1',
      keyId: record.id,
      codec,
    };
    await one.addStream(stream);
    expect(await two.findPlayback('sp1')).toEqual(stream);
    expect(await two.streamsOfKey(record.id)).toEqual(['s1']);
    await one.removeStream(stream);
    expect(await two.findPlayback('p1')).toBeUndefined();
    expect(await two.streamsOfKey(record.id)).toEqual([]);
  });

  it('counts a key’s slots across gateways in one step, and forgets a dead gateway’s streams', async () => {
    const { record } = await one.createKey({ maxStreams: 2 });
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).reserveKeySlot(record.id, 2)),
    );
    expect(tokens.filter((t) => t !== undefined)).toHaveLength(2);
    for (const token of tokens) if (token) await one.releaseKeySlot(record.id, token);
    expect(await two.reserveKeySlot(record.id, 2)).toEqual(expect.any(String));

    // Written once and never refreshed (its gateway died): gone after the TTL.
    await one.addStream({
      streamId: 'dead',
      playbackId: 'dead-p',
      sourcePlaybackId: 'dead-sp',
      gatewayUrl: 'http://127.0.0.1:1',
      keyId: record.id,
      codec,
    });
    expect(await two.streamsOfKey(record.id)).toContain('dead');
    await expect.poll(() => two.findPlayback('dead-p'), { timeout: 5_000 }).toBeUndefined();
    expect(await two.streamsOfKey(record.id)).toEqual([]);
  });

  it('fails at once with shared_state_unavailable while Redis is away, and works when it is back', async () => {
    const up = { client: 'state' };
    const created = { operation: 'createKey' };
    expect(await metric('peerframe_gateway_redis_up', up)).toBe(1);
    const timedBefore = await timed(created);
    await one.createKey();
    expect(await timed(created)).toBe(timedBefore + 1);
    expect(await metric('peerframe_gateway_redis_command_errors_total', created)).toBe(0);

    await redis.stop();
    await expect.poll(() => metric('peerframe_gateway_redis_up', up), { timeout: 5_000 }).toBe(0);
    expect(await metric('peerframe_gateway_redis_disconnects_total', up)).toBeGreaterThan(0);
    const error = await one.createKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayStateUnavailableError);
    expect((error as GatewayStateUnavailableError).code).toBe('shared_state_unavailable');
    // The failure is counted, not timed as an answer.
    expect(await metric('peerframe_gateway_redis_command_errors_total', created)).toBe(1);
    expect(await timed(created)).toBe(timedBefore + 1);
    await redis.restart();
    await expect
      .poll(
        () =>
          one.assertReachable().then(
            () => true,
            () => false,
          ),
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    expect((await one.createKey()).key).toMatch(/^pf_sk_/);
    expect(await metric('peerframe_gateway_redis_up', up)).toBe(1);
  });
});
