import { createLogger } from '@peerframe/core';
import { defaultVideoCodec } from '@peerframe/core/werift';
import { describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { FrameTimeline } from './FrameTimeline.ts';
import { StreamRouter } from './StreamRouter.ts';
import { StreamViewers } from './StreamViewers.ts';
import { WeriftLeg, weriftSfu } from './WeriftLeg.ts';

/** A router whose publisher is a real werift leg; `asked`: when its remote got a keyframe request. */
async function withRouter(
  keyframeRequestIntervalMs: number,
  run: (router: StreamRouter, asked: number[]) => Promise<void>,
): Promise<void> {
  const { leg: publisherPeer, offerSdp } = await WeriftLeg.offer();
  const { leg: publisher, answerSdp } = await WeriftLeg.answer(offerSdp);
  const asked: number[] = [];
  publisherPeer.on('keyframeRequest', () => asked.push(performance.now()));
  const source = setInterval(() => {
    const header = new RtpHeader({ sequenceNumber: asked.length, timestamp: 0, marker: true });
    publisherPeer.send(new RtpPacket(header, Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a])));
  }, 20);
  try {
    await publisherPeer.accept(answerSdp);
    // The gateway's leg knows the publisher's SSRC once its video comes.
    await vi.waitFor(() => expect(publisher.packetsIn).toBeGreaterThan(0), { timeout: 10_000 });
    const router = new StreamRouter({
      publisher,
      viewers: new StreamViewers({
        sfu: weriftSfu,
        legOptions: {},
        codec: defaultVideoCodec,
        audioCodec: undefined,
        maxViewers: 1,
        connectTimeoutMs: 1000,
        askKeyframe: () => {},
        log: createLogger('test'),
      }),
      timeline: new FrameTimeline(),
      keyframeRequestIntervalMs,
      onFed: () => {},
      onProcessed: () => {},
      onProcessedAudio: () => {},
    });
    await run(router, asked);
  } finally {
    clearInterval(source);
    await Promise.all([publisherPeer.close(), publisher.close()]);
  }
}

describe('StreamRouter.askPublisher', () => {
  // A stream asks for a keyframe when its orchestrator leg is attached (it comes while the leg
  // connects) and again when the leg is up: the second must go out even within the interval.
  it('asks at most once per interval, unless forced', async () => {
    await withRouter(60_000, async (router, asked) => {
      router.askPublisher();
      router.askPublisher();
      await vi.waitFor(() => expect(asked.length).toBe(1), { timeout: 5_000 });
      router.askPublisher({ force: true });
      await vi.waitFor(() => expect(asked.length).toBe(2), { timeout: 5_000 });
      // Requests arrive in order: the one asked within the interval waited for its end, and the
      // forced one took its place.
      expect(router.counters.keyframeRequestsToPublisher).toBe(2);
    });
  });

  // A viewer that joins just after a keyframe went by (a relay's viewer on a mediasoup gateway,
  // whose consumer waits for one) asks within the interval: dropped, it waited for its SFU to ask
  // again (mediasoup: 1 s).
  it('sends a request made within the interval at its end instead of dropping it', async () => {
    await withRouter(200, async (router, asked) => {
      router.askPublisher();
      router.askPublisher();
      router.askPublisher();
      await vi.waitFor(() => expect(asked.length).toBe(2), { timeout: 5_000 });
    });
  });

  // A stream that ends with a request waiting for the interval's end must not ask its closed leg.
  it('drops the request waiting for the interval when the stream closes', async () => {
    await withRouter(200, async (router, asked) => {
      router.askPublisher();
      router.askPublisher();
      router.close();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(router.counters.keyframeRequestsToPublisher).toBe(1);
      expect(asked.length).toBeLessThanOrEqual(1);
    });
  });
});
