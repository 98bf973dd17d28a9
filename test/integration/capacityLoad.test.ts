import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EchoOrchestrator } from '../../bench/capacity/EchoOrchestrator.ts';
import { type EncodedClip, encodeClip } from '../../bench/capacity/encodeClip.ts';
import { GatewayProcess } from '../../bench/capacity/GatewayProcess.ts';
import { ReplayPublisher } from '../../bench/capacity/ReplayPublisher.ts';

/** Waits until `done()` holds, polling every 20 ms; throws naming `what` after `timeoutMs`. */
async function waitUntil(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// The capacity bench's own tools (bench/capacity): replayed pre-encoded RTP goes through a real
// gateway process to the echo orchestrator and back, over real WebRTC, packet for packet.
describe.each(['VP8', 'H264'] as const)(
  'capacity load generator through a gateway (%s)',
  (codec) => {
    let echo: EchoOrchestrator;
    let gateway: GatewayProcess;
    let clip: EncodedClip;

    beforeAll(async () => {
      [echo, clip] = await Promise.all([
        EchoOrchestrator.start(),
        encodeClip({ codec, widthPx: 256, heightPx: 256, frames: 30 }),
      ]);
      gateway = await GatewayProcess.start({ orchestratorUrl: echo.url });
    }, 90_000);

    afterAll(async () => {
      await gateway?.stop();
      await echo?.close();
    });

    it('carries every replayed packet of two streams to the echo and back', async () => {
      const publishers = await Promise.all(
        [0, 1].map(() => ReplayPublisher.connect({ whipUrl: `${gateway.url}/whip` }, clip)),
      );
      try {
        for (const p of publishers) p.start();
        // Packets sent before the gateway's leg to the echo is up may be gone: count from when each
        // stream's packets come back, over two clips' worth (keyframes included).
        await waitUntil(
          () => publishers.every((p) => p.packetsReceived > 0),
          'a first packet',
          30_000,
        );
        const from = publishers.map((p) => p.packetsSent);
        const clipPackets = clip.frames.reduce((sum, f) => sum + f.payloads.length, 0);
        await waitUntil(
          () => publishers.every((p, i) => p.packetsSent >= (from[i] ?? 0) + 2 * clipPackets),
          'two clips to be sent',
          30_000,
        );
        for (const p of publishers) p.stop();
        const to = publishers.map((p) => p.packetsSent);
        // On loopback every one of them comes back (1 % allowed for a loaded machine).
        const returned = () =>
          publishers.map((p, i) => p.returnedBetween(from[i] ?? 0, to[i] ?? 0));
        await waitUntil(
          () => returned().every((n, i) => n >= 0.99 * ((to[i] ?? 0) - (from[i] ?? 0))),
          'the echoed packets',
          15_000,
        );
        for (const p of publishers) {
          expect(p.packetsReceived).toBeLessThanOrEqual(p.packetsSent);
          // A round trip for each frame back (its marker packet): at least the two clips' worth.
          const trips = p.takeRoundTrips();
          expect(trips.length).toBeGreaterThanOrEqual(2 * clip.frames.length - 1);
          expect(Math.min(...trips)).toBeGreaterThan(0);
        }
        expect(echo.packetsEchoed).toBeGreaterThanOrEqual(
          publishers.reduce((sum, p) => sum + p.packetsReceived, 0),
        );
      } finally {
        await Promise.all(publishers.map((p) => p.close()));
      }
    }, 90_000);
  },
);
