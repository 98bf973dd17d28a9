import { createSession, readFrameMarker, type SessionStats } from '@peerframe/client-sdk/node';
import { WrtcVideoSink } from '@peerframe/core/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/browser.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';
import { startSyntheticTrack } from '../helpers/syntheticTrack.ts';

// The browser SDK's session, bound to libwebrtc by `@peerframe/client-sdk/node`: same API.
describe('createSession in Node (@peerframe/client-sdk/node)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ orchestrators: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('publishes a track, returns it processed, reports stats, refuses bad params and closes', async () => {
    const session = await createSession({ gatewayUrl: stack.gatewayUrl, pipeline: 'invert' });
    const { track, stop: stopTrack } = startSyntheticTrack(320, 240);
    const states: string[] = [];
    const stats: SessionStats[] = [];
    session.on('state', (state) => states.push(state));
    session.on('stats', (s) => stats.push(s));
    const inverted: number[] = [];
    let sink: InstanceType<typeof WrtcVideoSink> | undefined;
    try {
      await session.publish(track);
      const output = await waitFor(
        'the processed track',
        () => session.output.getVideoTracks()[0],
        10_000,
      );
      sink = new WrtcVideoSink(output);
      sink.onframe = ({ frame }) => {
        const marker = readFrameMarker(frame.data, frame.width, frame.height);
        if (marker?.inverted) inverted.push(marker.frameNumber);
      };
      await waitFor(
        'inverted frames back',
        () => (inverted.length > 30 ? true : undefined),
        15_000,
      );
      await waitFor(
        'stats from the gateway',
        () => stats.find((s) => (s.fpsOut ?? 0) > 5 && (s.fpsReceived ?? 0) > 5),
        10_000,
      );
      expect(states).toContain('live');
      expect(session.playbackUrl).toMatch(/\/whep\//);
      // invert has no params: the orchestrator's refusal comes back, the session stays live.
      await expect(session.update({ strength: 2 })).rejects.toMatchObject({
        code: 'invalid_pipeline_params',
      });
      expect(session.state).toBe('live');
    } finally {
      sink?.stop();
      await session.close();
      stopTrack();
    }
    expect(session.state).toBe('ended');
    expect(session.output.getTracks()).toHaveLength(0);
    await waitFor(
      'the gateway to end the stream',
      async () => ((await stack.streams()).length === 0 ? true : undefined),
      10_000,
    );
  });
});
