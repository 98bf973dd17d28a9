import {
  ControlClient,
  ControlError,
  type StreamState,
  type StreamStatsEvent,
} from '@peerframe/client-sdk';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

describe('socket.io control channel', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reports state and per-second stats, and applies or refuses param updates', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    const control = await ControlClient.connect({
      gatewayUrl: stack.gatewayUrl,
      streamId: publisher.streamId,
    });
    const states: StreamState[] = [];
    const stats: StreamStatsEvent[] = [];
    control.on('state', (state) => states.push(state));
    control.on('stats', (event) => stats.push(event));
    try {
      await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 3_000,
        warmupMs: 500,
      });
      expect(control.state).toBe('live');
      expect(stats.length).toBeGreaterThanOrEqual(2);
      expect(stats.every((s) => s.streamId === publisher.streamId)).toBe(true);
      // The publisher sends 30 fps and (passthrough) gets them all back: the best second shows it
      // (the last one may fall in the probe's drain, when nothing is sent).
      expect(Math.max(...stats.map((s) => s.fpsIn))).toBeGreaterThan(20);
      expect(Math.max(...stats.map((s) => s.fpsOut))).toBeGreaterThan(20);
      expect(Math.max(...stats.map((s) => s.bitrateInKbps))).toBeGreaterThan(50);
      const last = stats.at(-1) as StreamStatsEvent;
      expect(last.pipelineMsP50).toEqual(expect.any(Number));
      expect(last.framesDropped).toEqual(expect.any(Number));

      // passthrough takes no params: the orchestrator's refusal comes back with its code.
      const refused = await control.update({ strength: 2 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ControlError);
      expect((refused as ControlError).code).toBe('invalid_pipeline_params');
      await control.update({});

      const unknown = await ControlClient.connect({
        gatewayUrl: stack.gatewayUrl,
        streamId: 'nope',
      }).catch((e: unknown) => e);
      expect((unknown as ControlError).code).toBe('stream_not_found');
    } finally {
      await publisher.close();
    }
    await expect.poll(() => states.at(-1)).toBe('ended');
    control.close();
  });
});
