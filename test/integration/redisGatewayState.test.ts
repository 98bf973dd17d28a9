import { type RedisServer, startRedisServer } from '@peerframe/cli';
import { GatewayStateUnavailableError, RedisGatewayState } from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const codec = { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' } as const;

// The state two gateways share, on a real redis-server: what one writes the other reads, and a
// key's slots hold across both.
describe('RedisGatewayState', () => {
  let redis: RedisServer;
  let one: RedisGatewayState;
  let two: RedisGatewayState;
  beforeAll(async () => {
    redis = await startRedisServer();
    one = await RedisGatewayState.create({ url: redis.url, streamTtlMs: 1_000 });
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
    await redis.stop();
    const error = await one.createKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayStateUnavailableError);
    expect((error as GatewayStateUnavailableError).code).toBe('shared_state_unavailable');
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
  });
});
