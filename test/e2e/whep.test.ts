import { readFrameMarker } from '@peerframe/client-sdk';
import { NodeWhepViewer, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

type Seen = { numbers: Set<number>; inverted: number; plain: number };

function watch(viewer: NodeWhepViewer): Seen {
  const seen: Seen = { numbers: new Set(), inverted: 0, plain: 0 };
  viewer.on('frame', (frame) => {
    const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
    if (!marker) return;
    seen.numbers.add(marker.frameNumber);
    if (marker.inverted) seen.inverted++;
    else seen.plain++;
  });
  return seen;
}

describe('WHEP playback', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('plays one publisher to 5 viewers of the processed stream and 1 of the source', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    const viewers: NodeWhepViewer[] = [];
    try {
      expect(publisher.playbackUrl).toMatch(/\/whep\/[0-9a-f-]{36}$/);
      const playbackUrl = publisher.playbackUrl as string;
      for (let i = 0; i < 5; i++)
        viewers.push(await NodeWhepViewer.connect({ whepUrl: playbackUrl }));
      const sourceViewer = await NodeWhepViewer.connect({
        whepUrl: publisher.sourcePlaybackUrl as string,
      });
      viewers.push(sourceViewer);
      const seen = viewers.map(watch);
      expect((await stack.streams())[0]?.viewers).toBe(6);

      const result = await runFrameProbe(publisher, {
        widthPx: 256,
        heightPx: 192,
        durationMs: 5_000,
        expectLuma: (y) => 251 - y,
      });
      const { samples: _s, ...summary } = result;
      console.info('whep publisher', summary);
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.85);
      const measured = result.samples.map(([n]) => n);
      for (const [i, viewer] of seen.entries()) {
        const isSource = i === seen.length - 1;
        // Each viewer saw (nearly) every frame the publisher got back, the right way round.
        const got = measured.filter((n) => viewer.numbers.has(n)).length;
        expect(got / measured.length).toBeGreaterThanOrEqual(0.85);
        expect(isSource ? viewer.inverted : viewer.plain).toBe(0);
      }

      // A viewer leaves with DELETE; the others stay.
      await viewers.shift()?.close();
      await expect.poll(async () => (await stack.streams())[0]?.viewers).toBe(5);
      const gone = await fetch(`${playbackUrl}/no-such-viewer`, { method: 'DELETE' });
      expect(gone.status).toBe(404);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
      await publisher.close();
    }
    // With the stream ended, its playback id no longer plays (whatever the offer).
    const late = await fetch(publisher.playbackUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: 'v=0\r\n',
    });
    expect(late.status).toBe(404);
  });
});
