import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, statOf, type TestStack } from '../helpers/startStack.ts';

describe('the gateway forwards RTP without decoding', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('carries two publishers through one gateway to one orchestrator, both intact', async () => {
    const plain = await NodeWhipPublisher.connect({
      whipUrl: stack.gateway.whipUrl,
      pipeline: 'passthrough',
    });
    const inverted = await NodeWhipPublisher.connect({
      whipUrl: stack.gateway.whipUrl,
      pipeline: 'invert',
    });
    try {
      expect(stack.gateway.streams.size).toBe(2);
      expect(stack.orchestrator.sessions.size).toBe(2);
      const [a, b] = await Promise.all([
        runFrameProbe(plain, { widthPx: 512, heightPx: 512, durationMs: 6_000 }),
        runFrameProbe(inverted, {
          widthPx: 384,
          heightPx: 288,
          durationMs: 6_000,
          expectLuma: (y) => 251 - y,
        }),
      ]);
      for (const [result, isInverted] of [
        [a, false],
        [b, true],
      ] as const) {
        const { samples: _samples, ...summary } = result;
        console.info(isInverted ? 'invert stream' : 'passthrough stream', summary);
        expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.9);
        expect(result.framesWrongContent).toBe(0);
        expect(result.framesOutOfOrder).toBe(0);
        // No cross-talk: each publisher gets its own stream back, at its own size.
        expect(result.framesInverted).toBe(isInverted ? result.framesReturned : 0);
        expect(result.returnedSizes).toEqual([isInverted ? '384x288' : '512x512']);
      }

      // What the orchestrator's decoder received is what the publisher's encoder sent: same frames,
      // same payload bytes. A gateway that decoded and re-encoded could not keep both equal.
      for (const publisher of [plain, inverted]) {
        const sent = statOf(await publisher.getStats(), 'outbound-rtp');
        const stream = [...stack.gateway.streams.values()].find((s) =>
          publisher.resourceUrl.endsWith(s.id),
        );
        expect(stream).toBeDefined();
        const session = [...stack.orchestrator.sessions.values()].find(
          (s) => s.pipeline.name === stream?.pipeline,
        );
        const received = statOf((await session?.getStats()) as RTCStatsReport, 'inbound-rtp');
        expect(received('framesDecoded')).toBeGreaterThan(150);
        expect(Math.abs(received('framesDecoded') - sent('framesEncoded'))).toBeLessThanOrEqual(3);
        expect(
          Math.abs(received('bytesReceived') - sent('bytesSent')) / sent('bytesSent'),
        ).toBeLessThan(0.01);
        const stats = stream?.stats();
        expect(stats?.packetsToOrchestrator).toBe(stats?.packetsFromPublisher);
      }
    } finally {
      await Promise.all([plain.close(), inverted.close()]);
    }
  });
});
