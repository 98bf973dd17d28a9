import { readFrameMarker } from '@peerframe/client-sdk';
import { NodeWhepViewer, NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareOffer,
  expectFramesBack,
  type InProcessStack,
  postAnswered,
  postSdp,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

// Item 10 of issue 13: WHEP offers that never connect stayed viewers (two sockets each) until the
// stream ended.
describe('gateway: viewers that never connect (issue 13, item 10)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A live invert stream from 127.0.0.1, its playback URL and its session. */
  const publish = async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.gateway.whipUrl,
      pipeline: 'invert',
    });
    const stream = stack.gateway.streams.get(publisher.streamId);
    return { publisher, stream, playbackUrl: publisher.playbackUrl as string };
  };
  const attacker = { localAddress: '127.0.0.2' };

  it('refuses a third unconnected viewer from one client; real viewers still join', async () => {
    const { publisher, stream, playbackUrl } = await publish();
    let viewer: NodeWhepViewer | undefined;
    try {
      const offer = await bareOffer('recvonly');
      await postAnswered(playbackUrl, offer, attacker, 2);
      const third = await postSdp(playbackUrl, offer, attacker);
      expect({ status: third.status, code: third.code }).toEqual({
        status: 429,
        code: 'too_many_pending',
      });
      expect(stream?.stats().viewers).toBe(2);
      viewer = await NodeWhepViewer.connect({ whepUrl: playbackUrl });
      expect(stream?.stats().viewers).toBe(3);
    } finally {
      await viewer?.close();
      await publisher.close();
    }
  });

  it('drops viewers that never connect within about 3 s; connected viewers keep playing', async () => {
    const { publisher, stream, playbackUrl } = await publish();
    let viewer: NodeWhepViewer | undefined;
    try {
      const offer = await bareOffer('recvonly');
      await postAnswered(playbackUrl, offer, attacker, 2);
      viewer = await NodeWhepViewer.connect({ whepUrl: playbackUrl });
      expect(stream?.stats().viewers).toBe(3);
      let frames = 0;
      viewer.on('frame', (frame) => {
        if (readFrameMarker(frame.data, frame.widthPx, frame.heightPx)?.inverted) frames++;
      });

      // The two that never connected are dropped (their legs closed); the connected one stays.
      await expect.poll(() => stream?.stats().viewers, { timeout: 6_000, interval: 100 }).toBe(1);

      // Nothing lost: the publisher's round trip and the real viewer's playback go on.
      await expectFramesBack(publisher);
      expect(frames).toBeGreaterThan(10);
      expect(stream?.state).toBe('live');
    } finally {
      await viewer?.close();
      await publisher.close();
    }
  });
});
