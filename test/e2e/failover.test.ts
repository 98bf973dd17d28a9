import { longestGapMs, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const fps = 30;
const warmupMs = 1000;

describe('failover between orchestrators', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ orchestrators: 2 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps the stream going on another orchestrator when the serving one is killed', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    try {
      const [before] = await stack.streams();
      if (!before) throw new Error('no stream on the gateway');
      const serving = stack.nodes.find(
        (n) => n.role === 'orchestrator' && n.url === before.orchestrator,
      );
      if (!serving) throw new Error(`no node serves ${before.orchestrator}`);

      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        fps,
        warmupMs,
        durationMs: 8_000,
        expectLuma: (y) => 251 - y,
      });
      await new Promise((resolve) => setTimeout(resolve, warmupMs + 3_000));
      process.kill(serving.pid, 'SIGKILL');
      const result = await probe;
      const freeze = longestGapMs(result);
      console.info(
        `failover: output froze ${Math.round(freeze.gapMs)} ms after frame ${freeze.afterFrame}`,
      );

      const [after] = await stack.streams();
      expect(after?.id).toBe(before.id);
      expect(after?.state).toBe('live');
      expect(after?.swaps).toBe(1);
      expect(after?.orchestrator).not.toBe(before.orchestrator);
      // The same pipeline on the new orchestrator: every frame, before and after, inverted and in order.
      expect(result.framesInverted).toBe(result.framesReturned);
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesOutOfOrder).toBe(0);
      // Frames flow to the end on the new orchestrator, and the freeze is the only one.
      const lastSent = ((warmupMs + 8_000) * fps) / 1000 - 1;
      expect(Math.max(...result.samples.map(([n]) => n))).toBeGreaterThan(lastSent - fps / 2);
      expect(freeze.afterFrame).toBeGreaterThan(((warmupMs + 2_500) * fps) / 1000);
      expect(result.framesReturned / result.framesSent).toBeGreaterThan(0.6);
    } finally {
      await publisher.close();
    }
  });
});
