import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, statOf, type TestStack } from '../helpers/startStack.ts';

const fps = 30;
const warmupMs = 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keyframe requests travel upstream through the SFU', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ faultInjection: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('recovers from a burst of loss on each leg by a keyframe from the far end', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    try {
      const [stream] = await stack.streams();
      if (!stream) throw new Error('no stream on the gateway');
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        fps,
        warmupMs,
        durationMs: 9_000,
      });
      const started = performance.now();
      const gateway = async () => {
        const [now] = await stack.streams();
        if (!now) throw new Error('the stream is gone');
        return now;
      };
      const orchestrator = () => stack.transport(stream.orchestratorSessionId);
      const publisherReceivedPlis = async () =>
        statOf(await publisher.getStats(), 'outbound-rtp')('pliCount');

      // 400 ms with every orchestrator → publisher packet dropped. The publisher's decoder NACKs
      // packets the gateway never had; only a keyframe from the orchestrator's encoder repairs that.
      await sleep(warmupMs + 2_000);
      const beforeReturnFault = { gateway: await gateway(), orchestrator: await orchestrator() };
      const returnFaultEndMs = performance.now() - started + 400;
      await stack.injectFaults(stream.id, { dropToPublisherRatio: 1, durationMs: 400 });
      await sleep(2_500);
      expect((await gateway()).keyframeRequestsToOrchestrator).toBeGreaterThan(
        beforeReturnFault.gateway.keyframeRequestsToOrchestrator,
      );
      expect((await orchestrator()).pliReceived).toBeGreaterThan(
        beforeReturnFault.orchestrator.pliReceived,
      );

      // The same on the publisher → orchestrator leg: the request must reach the publisher's encoder.
      const beforeForwardFault = {
        gateway: await gateway(),
        publisher: await publisherReceivedPlis(),
      };
      const forwardFaultEndMs = performance.now() - started + 400;
      await stack.injectFaults(stream.id, { dropToOrchestratorRatio: 1, durationMs: 400 });
      await sleep(2_500);
      expect((await gateway()).keyframeRequestsToPublisher).toBeGreaterThan(
        beforeForwardFault.gateway.keyframeRequestsToPublisher,
      );
      expect(await publisherReceivedPlis()).toBeGreaterThan(beforeForwardFault.publisher);
      const result = await probe;

      // After each fault frames flow again within 1.5 s (a receiver left to its own keyframe
      // request froze for ~2.6 s), and to the end, intact and in order.
      const frameAt = (ms: number) => Math.floor((ms * fps) / 1000);
      const numbers = result.samples.map(([n]) => n);
      for (const faultEndMs of [returnFaultEndMs, forwardFaultEndMs]) {
        const resumed = numbers.filter(
          (n) => n > frameAt(faultEndMs) && n <= frameAt(faultEndMs + 1_500),
        );
        expect(resumed.length).toBeGreaterThan(fps / 2);
      }
      expect(Math.max(...numbers)).toBeGreaterThan(frameAt(warmupMs + 9_000) - fps / 2);
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesOutOfOrder).toBe(0);
      expect((await gateway()).packetsDropped).toBeGreaterThan(10);
      expect(
        statOf(await publisher.getStats(), 'inbound-rtp')('keyFramesDecoded'),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await publisher.close();
    }
  });
});
