import { describe, expect, it } from 'vitest';
import { runPeerframe, startPeerframe } from '../helpers/peerframeProcess.ts';

/** A gateway with an orchestrator nobody runs, on a free port: enough to start or be refused. */
const gatewayArgs = ['gateway', '--port', '0', '--orchestrator', 'http://127.0.0.1:9'];

// Issue 19: the URL other gateways reach this one at, for their relays of its streams.
describe('peerframe gateway --advertised-url', () => {
  it('starts advertising the URL given (flag or PEERFRAME_ADVERTISED_URL), as its origin', async () => {
    for (const [args, env] of [
      [['--advertised-url', 'https://gw-a.example.net:8443/'], {}],
      [[], { PEERFRAME_ADVERTISED_URL: 'https://gw-a.example.net:8443' }],
    ] as const) {
      const gateway = startPeerframe([...gatewayArgs, ...args], {
        PEERFRAME_LOG_LEVEL: 'info',
        ...env,
      });
      try {
        const started = await gateway.waitFor(/"msg":"gateway listening"/, 30_000);
        expect(started, gateway.stderr()).toBeInstanceOf(Array);
        expect(gateway.stdout()).toContain('"advertisedUrl":"https://gw-a.example.net:8443"');
      } finally {
        await gateway.stop();
      }
    }
  });

  it('refuses a URL other gateways could not use, with exit code 2 and the reason', async () => {
    const result = await runPeerframe(
      [...gatewayArgs, '--advertised-url', 'http://0.0.0.0:8088'],
      {},
      30_000,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--advertised-url "http://0.0.0.0:8088" is refused');
    expect(result.stderr).toContain('0.0.0.0 is no address another machine can reach');
  });
});
