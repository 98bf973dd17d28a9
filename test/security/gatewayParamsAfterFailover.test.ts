import { ControlClient } from '@peerframe/client-sdk';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectFramesBack,
  type InProcessStack,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

/** The params the pipeline of an orchestrator's only session runs with. */
function runningParams(orchestrator: OrchestratorServer): Record<string, unknown> | undefined {
  const [session] = orchestrator.sessions.values();
  return (session?.pipeline as unknown as { params?: Record<string, unknown> } | undefined)?.params;
}

// Item 17 of issue 13: after a failover only the last partial params update was replayed, so
// earlier values (the publish's own) silently went back to their defaults.
describe('gateway: params after a failover (issue 13, item 17)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack({ orchestrators: [{}, {}] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('gives the next orchestrator the merged params: the publish’s and every update since', async () => {
    const { gateway } = stack;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'color-grade',
      params: { saturation: 0.25 },
    });
    const control = await ControlClient.connect({
      gatewayUrl: gateway.url,
      streamId: publisher.streamId,
    });
    try {
      const stream = gateway.streams.get(publisher.streamId);
      // color-grade changes the frame's luma: only the frames' return is checked.
      const probe = (durationMs = 1_500) =>
        expectFramesBack(publisher, { durationMs, inverted: false });
      await probe();
      await control.update({ contrast: 1.5 });
      await control.update({ brightness: 0.1 });
      const first = stack.orchestrators.find((o) => o.url === stream?.stats().orchestrator);
      const other = stack.orchestrators.find((o) => o !== first);
      expect(runningParams(first as OrchestratorServer)).toMatchObject({
        saturation: 0.25,
        contrast: 1.5,
        brightness: 0.1,
      });

      // The serving orchestrator goes away while the publisher sends; the stream moves.
      const sending = probe(6_000);
      await first?.close();
      await expect.poll(() => stream?.stats().orchestrator, { timeout: 15_000 }).toBe(other?.url);
      await sending;
      expect(runningParams(other as OrchestratorServer)).toMatchObject({
        saturation: 0.25,
        contrast: 1.5,
        brightness: 0.1,
      });
      expect(stream?.params).toEqual({ saturation: 0.25, contrast: 1.5, brightness: 0.1 });
      // Nothing lost: video flows through the new orchestrator.
      await probe();
    } finally {
      control.close();
      await publisher.close();
    }
  });
});

// The studio's slider flake: an update made as the stream moved went to the orchestrator left
// behind, or was refused as "reconnecting", while the next one started with the params before it.
describe('gateway: a params update racing a failover', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack({ orchestrators: [{}, {}, {}] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('is applied on the orchestrator the stream moves to, whether sent before or during the move', async () => {
    const { gateway } = stack;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'color-grade',
      params: { saturation: 0.25 },
    });
    const serving = () => {
      const url = gateway.streams.get(publisher.streamId)?.stats().orchestrator;
      const found = stack.orchestrators.find((o) => o.url === url);
      if (!found) throw new Error(`no orchestrator serves the stream (${url})`);
      return found;
    };
    try {
      const stream = gateway.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream');
      await expectFramesBack(publisher, { durationMs: 1_500, inverted: false });

      // Sent to the serving orchestrator, which the stream leaves before the answer comes back.
      const first = serving();
      const sent = stream.updateParams({ contrast: 1.5 });
      await new Promise(setImmediate);
      await stream.moveAway('test: the move overtakes an update');
      await sent;
      const second = serving();
      expect(second).not.toBe(first);
      expect(runningParams(second)).toMatchObject({ saturation: 0.25, contrast: 1.5 });

      // Made once the move started: it waits for the next orchestrator.
      const moving = stream.moveAway('test: an update during the move');
      await stream.updateParams({ brightness: 0.1 });
      await moving;
      const third = serving();
      expect([first, second]).not.toContain(third);
      expect(runningParams(third)).toMatchObject({
        saturation: 0.25,
        contrast: 1.5,
        brightness: 0.1,
      });
      expect(stream.params).toEqual({ saturation: 0.25, contrast: 1.5, brightness: 0.1 });
      await expectFramesBack(publisher, { durationMs: 1_500, inverted: false });
    } finally {
      await publisher.close();
    }
  });
});
