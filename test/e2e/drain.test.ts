import { longestGapMs, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('draining an orchestrator (SIGTERM)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ orchestrators: 2 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('moves its streams to another orchestrator before it stops, then it exits by itself', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    try {
      const [before] = await stack.streams();
      const serving = stack.nodes.find((n) => n.url === before?.orchestrator);
      if (!before || !serving) throw new Error('no serving orchestrator');
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 12_000,
        warmupMs: 1_000,
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      process.kill(serving.pid, 'SIGTERM');

      // It says so, and takes no new session…
      await expect
        .poll(
          async () =>
            ((await (await fetch(`${serving.url}/info`)).json()) as { draining: boolean }).draining,
        )
        .toBe(true);
      // …the gateway moves the stream away while it still serves it…
      await expect
        .poll(async () => (await stack.streams())[0]?.swaps, { timeout: 9_000, interval: 200 })
        .toBe(1);
      expect((await stack.streams())[0]?.orchestrator).not.toBe(serving.url);
      // …and, its last session gone, it stops by itself.
      await expect.poll(() => alive(serving.pid), { timeout: 12_000, interval: 200 }).toBe(false);

      const result = await probe;
      const gap = longestGapMs(result);
      console.info(`drain: longest output gap ${Math.round(gap.gapMs)} ms`);
      expect(result.framesOutOfOrder).toBe(0);
      expect(Math.max(...result.samples.map(([n]) => n))).toBeGreaterThan(
        ((1_000 + 12_000) * 30) / 1000 - 20,
      );
    } finally {
      await publisher.close();
    }
  });
});
