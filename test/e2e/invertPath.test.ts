import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

// Inverting RGB in limited-range BT.601 maps luma Y to 16 + 235 − Y.
const invertedLuma = (y: number) => 251 - y;

describe('publisher → gateway SFU → orchestrator invert → back (512×512, 30 fps)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('returns ≥ 95 % of frames, each the inverse of the frame sent, in order', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    try {
      const result = await runFrameProbe(publisher, {
        widthPx: 512,
        heightPx: 512,
        fps: 30,
        durationMs: 10_000,
        expectLuma: invertedLuma,
      });
      const { samples, ...summary } = result;
      console.info('invert path', summary);
      expect(result.framesSent).toBe(300);
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.95);
      // Every returned frame's marker reads as a negative and its content is the sent frame inverted.
      expect(result.framesInverted).toBe(result.framesReturned);
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesOutOfOrder).toBe(0);
      expect(result.framesUnreadable).toBe(0);
      expect(result.returnedSizes).toEqual(['512x512']);
      // Frame numbers of the samples rise strictly (order kept end to end).
      const numbers = samples.map(([n]) => n);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    } finally {
      await publisher.close();
    }
    // The stream ended everywhere: no session left on either node.
    await expect.poll(async () => (await stack.streams()).length).toBe(0);
    await expect.poll(async () => (await stack.sessions()).length).toBe(0);
  });
});
