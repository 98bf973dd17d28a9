import { readFrameMarker } from '@peerframe/client-sdk';
import { NodeWhepViewer, NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareOffer,
  expectFramesBack,
  type InProcessStack,
  postSdp,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

/** Counts a viewer's frames that came through the invert pipeline, and those that did not. */
function watch(viewer: NodeWhepViewer): { inverted: number; plain: number } {
  const seen = { inverted: 0, plain: 0 };
  viewer.on('frame', (frame) => {
    const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
    if (marker?.inverted) seen.inverted++;
    else if (marker) seen.plain++;
  });
  return seen;
}

// Item 13 of issue 13: `?source=1` on the public playback URL played the unprocessed camera to
// anyone, defeating an effect (background blur, replace) used for privacy.
describe('gateway: the unprocessed source plays for its publisher only (issue 13, item 13)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses ?source=1 on the public playback id; the secret source id, given only to the publisher, plays it', async () => {
    const { gateway } = stack;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'invert',
    });
    const viewers: NodeWhepViewer[] = [];
    try {
      const playbackUrl = publisher.playbackUrl as string;
      const refused = await postSdp(`${playbackUrl}?source=1`, await bareOffer('recvonly'));
      expect({ status: refused.status, code: refused.code }).toEqual({
        status: 403,
        code: 'source_not_allowed',
      });
      const stream = gateway.streams.get(publisher.streamId);
      expect(stream?.stats().viewers).toBe(0);

      const sourceUrl = publisher.sourcePlaybackUrl as string;
      expect(sourceUrl).toMatch(/\/whep\/[0-9a-f-]{36}$/);
      expect(sourceUrl).not.toBe(playbackUrl);

      // Nothing that anyone else can read names the source id: the stream list, the control
      // channel's view of the stream.
      const secret = new URL(sourceUrl).pathname.split('/').pop() as string;
      expect(await (await fetch(`${gateway.url}/streams`)).text()).not.toContain(secret);
      const control = io(`${gateway.url}/streams`, { transports: ['websocket'] });
      try {
        const joined = await control.emitWithAck('join', { streamId: publisher.streamId });
        expect(joined).toMatchObject({ ok: true, stats: { id: publisher.streamId } });
        expect(JSON.stringify(joined)).not.toContain(secret);
      } finally {
        control.close();
      }

      // The public id plays the processed video, the secret id the publisher's own.
      const processed = await NodeWhepViewer.connect({ whepUrl: playbackUrl });
      viewers.push(processed);
      const source = await NodeWhepViewer.connect({ whepUrl: sourceUrl });
      viewers.push(source);
      const [seenProcessed, seenSource] = [watch(processed), watch(source)];
      await expectFramesBack(publisher, { durationMs: 2_000 });
      expect(seenProcessed.inverted).toBeGreaterThan(10);
      expect(seenProcessed.plain).toBe(0);
      expect(seenSource.plain).toBeGreaterThan(10);
      expect(seenSource.inverted).toBe(0);
      expect(stream?.stats().viewers).toBe(2);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await publisher.close();
    }
  });
});
