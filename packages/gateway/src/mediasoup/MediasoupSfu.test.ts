import {
  installWrtcExitGuard,
  WrtcVideoSink as VideoSink,
  WrtcVideoSource as VideoSource,
  WrtcPeerConnection,
  type WrtcVideoSink,
  waitForIceGathering,
} from '@peerframe/core/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import { createSfuAdapter } from '../createSfuAdapter.ts';
import type { SfuLeg } from '../SfuAdapter.ts';
import { weriftSfu } from '../WeriftLeg.ts';
import { MediasoupSfu, SfuUnavailableError } from './MediasoupSfu.ts';

const available = await MediasoupSfu.isAvailable();
if (!available) {
  console.log(
    'mediasoup worker not present: set MEDIASOUP_WORKER_BIN or install mediasoup on a networked machine (the mediasoup SFU tests are skipped)',
  );
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(available)('createSfuAdapter without a mediasoup worker', () => {
  it('refuses an explicit mediasoup with sfu_unavailable and a hint; auto falls back to werift', async () => {
    const error = await createSfuAdapter('mediasoup').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfuUnavailableError);
    expect((error as SfuUnavailableError).code).toBe('sfu_unavailable');
    expect((error as SfuUnavailableError).message).toMatch(/MEDIASOUP_WORKER_BIN/);
    await expect(createSfuAdapter('auto')).resolves.toBe(weriftSfu);
    await expect(createSfuAdapter('werift')).resolves.toBe(weriftSfu);
  });
});

describe.skipIf(!available)('MediasoupSfu (real worker, libwebrtc peers)', () => {
  it('forwards a publisher’s video inside the worker to an offered leg whose libwebrtc peer decodes it', async () => {
    installWrtcExitGuard();
    const sfu = await MediasoupSfu.create();
    cleanups.push(() => sfu.close());

    // The publisher: libwebrtc pushing I420 frames, answered by a mediasoup leg.
    const publisher = new WrtcPeerConnection({ iceServers: [] });
    cleanups.push(() => publisher.close());
    const source = new VideoSource();
    const track = source.createTrack();
    cleanups.push(() => track.stop());
    publisher.addTransceiver(track, { direction: 'sendrecv' });
    await publisher.setLocalDescription(await publisher.createOffer());
    await waitForIceGathering(publisher);
    const inbound = await sfu.answer(publisher.localDescription?.sdp ?? '');
    await publisher.setRemoteDescription({ type: 'answer', sdp: inbound.answerSdp });

    // The orchestrator side: the gateway offers a leg that sends what the publisher's receives,
    // inside the worker; libwebrtc answers and decodes what it gets.
    const outbound = await sfu.offer({ source: inbound.leg });
    const orchestrator = new WrtcPeerConnection({ iceServers: [] });
    cleanups.push(() => orchestrator.close());
    let framesDecoded = 0;
    let sink: WrtcVideoSink | undefined;
    orchestrator.addEventListener('track', (event) => {
      sink = new VideoSink(event.track);
      sink.onframe = () => {
        framesDecoded++;
      };
    });
    cleanups.push(() => sink?.stop());
    await orchestrator.setRemoteDescription({ type: 'offer', sdp: outbound.offerSdp });
    await orchestrator.setLocalDescription(await orchestrator.createAnswer());
    await waitForIceGathering(orchestrator);
    await outbound.leg.accept(orchestrator.localDescription?.sdp ?? '');

    const legs: SfuLeg[] = [inbound.leg, outbound.leg];
    // No packet reaches JavaScript: the legs report the worker's counts instead.
    const rtpEvents: unknown[] = [];
    for (const leg of legs) leg.on('rtp', (packet) => rtpEvents.push(packet));
    let counted = 0;
    inbound.leg.on('nativeReceived', ({ packets }) => {
      counted += packets;
    });

    const widthPx = 320;
    const heightPx = 240;
    const frame = new Uint8Array((widthPx * heightPx * 3) / 2);
    let n = 0;
    const timer = setInterval(() => {
      frame.fill((n++ * 7) % 256, 0, widthPx * heightPx);
      source.onFrame({ width: widthPx, height: heightPx, data: frame });
    }, 33);
    cleanups.push(() => clearInterval(timer));

    await waitFor(
      () => legs.every((leg) => leg.state === 'connected'),
      15_000,
      'both legs connected',
    );
    await waitFor(() => framesDecoded >= 15, 20_000, '15 frames decoded at the far end');
    await waitFor(() => outbound.leg.packetsOut > 0, 5_000, 'the worker’s outbound count');
    expect(inbound.leg.packetsIn).toBeGreaterThan(0);
    expect(counted).toBe(inbound.leg.packetsIn);
    expect(rtpEvents).toHaveLength(0);
    // The gateway's keyframe request (a failover, a viewer joining) reaches the publisher, whose
    // libwebrtc counts it: the worker sends it through the orchestrator leg's consumer.
    const publisherKeyframeRequests = async (): Promise<number> => {
      let count = 0;
      for (const report of (await publisher.getStats()).values()) {
        if (report.type === 'outbound-rtp')
          count += (report.pliCount ?? 0) + (report.firCount ?? 0);
      }
      return count;
    };
    const requestsBefore = await publisherKeyframeRequests();
    inbound.leg.requestKeyframe();
    let requestsAfter = requestsBefore;
    const askedAt = performance.now();
    while (requestsAfter <= requestsBefore && performance.now() - askedAt < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      requestsAfter = await publisherKeyframeRequests();
    }
    expect(requestsAfter).toBeGreaterThan(requestsBefore);

    await inbound.leg.close();
    await outbound.leg.close();
    expect(inbound.leg.state).toBe('closed');
  }, 60_000);

  it('answers a recvonly viewer with sendonly, refuses bad SDP, restarts ICE', async () => {
    const sfu = await MediasoupSfu.create();
    cleanups.push(() => sfu.close());
    const viewer = new WrtcPeerConnection({ iceServers: [] });
    cleanups.push(() => viewer.close());
    viewer.addTransceiver('video', { direction: 'recvonly' });
    await viewer.setLocalDescription(await viewer.createOffer());
    const { leg, answerSdp } = await sfu.answer(viewer.localDescription?.sdp ?? '', {
      direction: 'sendonly',
    });
    cleanups.push(() => leg.close());
    expect(answerSdp).toMatch(/^a=sendonly$/m);
    expect(answerSdp).toMatch(/^a=ice-lite$/m);
    await viewer.setRemoteDescription({ type: 'answer', sdp: answerSdp });

    await expect(sfu.answer('v=0\r\nnot sdp')).rejects.toMatchObject({ code: 'invalid_sdp' });
    const fragment = await leg.restartIce({
      ufrag: 'newufrag',
      pwd: 'newpasswordnewpassword00',
      candidates: [],
      mid: '0',
      endOfCandidates: true,
    });
    const oldUfrag = /^a=ice-ufrag:(.+)$/m.exec(answerSdp)?.[1];
    const newUfrag = /^a=ice-ufrag:(.+)$/m.exec(fragment)?.[1];
    expect(newUfrag).toBeTruthy();
    expect(newUfrag).not.toBe(oldUfrag);
    expect(fragment).toMatch(/^a=candidate:.* typ host/m);
  });
});
