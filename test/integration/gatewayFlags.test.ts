import { type RedisServer, startRedisServer } from '@peerframe/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPeerframe, startPeerframe } from '../helpers/peerframeProcess.ts';

/** A gateway with an orchestrator nobody runs, on a free port: enough to start or be refused. */
const gatewayArgs = ['gateway', '--port', '0', '--orchestrator', 'http://127.0.0.1:9'];

// Issue 19: the URL other gateways reach this one at, for their relays of its streams.
describe('peerframe gateway --advertised-url', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });

  /** Starts a gateway on every interface sharing `redis`, and returns its log once it listens. */
  async function startLog(args: string[]): Promise<string> {
    const gateway = startPeerframe([...gatewayArgs, '--host', '0.0.0.0', ...args], {
      PEERFRAME_LOG_LEVEL: 'info',
      PEERFRAME_REDIS_URL: redis.url,
    });
    try {
      const started = await gateway.waitFor(/"msg":"gateway listening"/, 30_000);
      expect(started, gateway.stderr()).toBeInstanceOf(Array);
      return gateway.stdout();
    } finally {
      await gateway.stop();
    }
  }

  it('advertises the URL given, as its origin; without one, on 0.0.0.0, it warns', async () => {
    const given = await startLog(['--advertised-url', 'https://gw-a.example.net:8443/']);
    expect(given).toContain('"advertisedUrl":"https://gw-a.example.net:8443"');
    expect(given).not.toContain('listens on no address other gateways can reach');
    const none = await startLog([]);
    expect(none).toMatch(/"advertisedUrl":"http:\/\/0\.0\.0\.0:\d+"/);
    expect(none).toContain('listens on no address other gateways can reach');
  });

  it('refuses a URL other gateways could not use, with exit code 2 and the reason', async () => {
    const result = await runPeerframe(
      gatewayArgs,
      { PEERFRAME_ADVERTISED_URL: 'http://0.0.0.0:8088' },
      30_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--advertised-url "http://0.0.0.0:8088" is refused');
    expect(result.stderr).toContain('0.0.0.0 is no address another machine can reach');
  });
});
