import { readFrameMarker } from '@peerframe/client-sdk';
import { NodeWhepViewer, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { installWrtcExitGuard } from '@peerframe/core/wrtc';
import { GatewayServer, MediasoupSfu } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import { audioAfterMove } from '../helpers/audioAfterMove.ts';
import { decodedMedianPeak, expectGainedTone } from '../helpers/decodedMedianPeak.ts';
import { GstWhipPublisher, medianPeak, type ReturnedAudio } from '../helpers/GstWhipPublisher.ts';
import {
  expectFramesBack,
  type InProcessStack,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';
import { invertQuietRegistry } from '../helpers/invertQuietRegistry.ts';
import { pushMovingBar } from '../helpers/pushMovingBar.ts';
import { RtpWhepViewer, viewerH264 } from '../helpers/RtpWhepViewer.ts';

const available = await MediasoupSfu.isAvailable();
if (!available) {
  console.log(
    'mediasoup worker not present: set MEDIASOUP_WORKER_BIN (tools/mediasoup-worker) or install mediasoup on a networked machine (the native mediasoup forwarding tests are skipped)',
  );
}

type StreamView = {
  id: string;
  codec: string;
  orchestrator: string;
  packetsToOrchestrator: number;
  packetsFromOrchestrator: number;
  packetsToPublisher: number;
  swaps: number;
};

async function streams(stack: InProcessStack): Promise<StreamView[]> {
  const response = await fetch(`${stack.gateway.url}/streams`);
  return ((await response.json()) as { streams: StreamView[] }).streams;
}

/** Polls the gateway's one stream until `check` holds (15 s at most). */
async function poll(stack: InProcessStack, check: (s: StreamView) => boolean): Promise<StreamView> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const [stream] = await streams(stack);
    if (stream && check(stream)) return stream;
    if (performance.now() > deadline) {
      throw new Error(`timed out; the stream: ${JSON.stringify(stream)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `check` holds (15 s at most). */
async function until(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let stack: InProcessStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe.skipIf(!available)('the mediasoup backend forwards inside its worker', () => {
  it('carries a libwebrtc publisher’s video to a real orchestrator, back and to WHEP viewers, and moves it to another orchestrator', async () => {
    installWrtcExitGuard();
    const sfu = await MediasoupSfu.create();
    stack = await startInProcessStack({ orchestrators: [{}, {}], gateway: { sfu } });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.gateway.whipUrl,
      pipeline: 'invert',
    });
    // WHEP viewers of the processed video and of the publisher's own: legs consuming the
    // orchestrator's and the publisher's producers in the worker.
    const viewers = await Promise.all([
      NodeWhepViewer.connect({ whepUrl: publisher.playbackUrl as string }),
      NodeWhepViewer.connect({ whepUrl: publisher.sourcePlaybackUrl as string }),
    ]);
    const seen = viewers.map((viewer) => {
      const marks = { inverted: 0, plain: 0 };
      viewer.on('frame', (frame) => {
        const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
        if (marker?.inverted) marks.inverted++;
        else if (marker) marks.plain++;
      });
      return marks;
    });
    try {
      // Processed (inverted) frames come back: publisher → mediasoup → orchestrator → mediasoup → publisher.
      await expectFramesBack(publisher);
      await until(() => (seen[0]?.inverted ?? 0) > 10 && (seen[1]?.plain ?? 0) > 10);
      expect(seen[0]?.plain).toBe(0);
      expect(seen[1]?.inverted).toBe(0);
      const [before] = await streams(stack);
      if (!before) throw new Error('no stream on the gateway');
      // The counts come from the worker's stats: the gateway's JavaScript never saw a packet.
      expect(before.packetsToOrchestrator).toBeGreaterThan(50);
      expect(before.packetsFromOrchestrator).toBeGreaterThan(50);
      expect(before.packetsToPublisher).toBeGreaterThan(50);

      // The serving orchestrator goes away while the publisher sends: the stream moves to the
      // other, whose new leg consumes the publisher's producer in the worker, and whose returned
      // video the publisher's leg now consumes (a new consumer there).
      const serving = stack.orchestrators.find((o) => o.url === before.orchestrator);
      if (!serving) throw new Error(`no orchestrator at ${before.orchestrator}`);
      const probe = runFrameProbe(publisher, {
        widthPx: 256,
        heightPx: 192,
        warmupMs: 300,
        durationMs: 5_000,
        expectLuma: (y) => 251 - y,
      });
      await poll(stack, (s) => s.packetsFromOrchestrator > before.packetsFromOrchestrator + 100);
      const processedBeforeMove = seen[0]?.inverted ?? 0;
      await serving.close();
      const moved = await poll(stack, (s) => s.orchestrator !== before.orchestrator);
      expect(moved.id).toBe(before.id);
      // The new orchestrator gets the publisher's video and returns its own into the worker.
      const flowing = await poll(
        stack,
        (s) =>
          s.packetsFromOrchestrator > moved.packetsFromOrchestrator + 100 &&
          s.packetsToOrchestrator > moved.packetsToOrchestrator + 100,
      );
      expect(flowing.swaps).toBe(1);
      const result = await probe;
      expect(result.framesWrongContent).toBe(0);
      // And the publisher gets the new orchestrator's processed video (the return hop keeps the
      // SSRC its answer named), as does the processed video's viewer.
      await expectFramesBack(publisher);
      await until(() => (seen[0]?.inverted ?? 0) > processedBeforeMove + 10);
      expect(seen[0]?.plain).toBe(0);
    } finally {
      await Promise.all(viewers.map((viewer) => viewer.close()));
      await publisher.close();
    }
  });

  it('carries a GStreamer H.264 + Opus publisher (x264enc, packetization-mode 1): inverted video and its own tone back, past the other legs’ ICE consent timeout', async () => {
    // The orchestrator's and the viewer's legs (werift: a binding request every 4–6 s) time out
    // after 9 s without consent; the publisher's, webrtcbin's (binding indications only), never.
    const consentTimeoutS = 9;
    const sfu = await MediasoupSfu.create({ iceConsentTimeoutS: consentTimeoutS });
    stack = await startInProcessStack({ gateway: { sfu } });
    const publisher = await GstWhipPublisher.connect({
      whipUrl: stack.gateway.whipUrl,
      pipeline: 'invert',
      widthPx: 320,
      heightPx: 240,
      audio: 'tone',
    });
    const connectedAtMs = performance.now();
    const returned: ReturnedAudio[] = [];
    publisher.on('audio', (audio) => returned.push(audio));
    let viewer: RtpWhepViewer | undefined;
    try {
      const [stream] = await streams(stack);
      expect(stream?.codec).toBe('H264');
      // A viewer of the processed video whose H.264 is another profile (baseline, 420010): its
      // leg takes the stream's parameters at the viewer's payload type.
      const playbackId = stack.gateway.streams.get(publisher.streamId)?.playbackId;
      viewer = await RtpWhepViewer.connect(`${stack.gateway.url}/whep/${playbackId}`, {
        codec: viewerH264,
      });
      const result = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 3_000,
        expectLuma: (y) => 251 - y,
      });
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.8);
      expect(result.framesInverted).toBe(result.framesReturned);
      expect(result.framesWrongContent).toBe(0);
      // Both directions natively, but the processed video's hop.
      const [after] = await streams(stack);
      expect(after?.packetsToOrchestrator).toBeGreaterThan(50);
      expect(after?.packetsToPublisher).toBeGreaterThan(50);
      // A video-only pipeline: the publisher's own tone (peaks ~9 800) comes back through the
      // gateway's delay line.
      await until(() => returned.length >= 100);
      const peak = medianPeak(returned, 50);
      expect(peak).toBeGreaterThan(6_000);
      expect(peak).toBeLessThan(13_000);
      // The viewer got the processed H.264 and the sound beside it.
      expect(viewer.video.packets.length).toBeGreaterThan(50);
      expect(viewer.audio.packets.length).toBeGreaterThan(50);
      // Past the timeout (a leg held to it would have dropped the publisher's media by now), its
      // tone still comes back, through the orchestrator's leg, to the viewer too.
      const waitMs = connectedAtMs + (consentTimeoutS + 2) * 1000 - performance.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      const { packets } = viewer.audio;
      const [back, seen] = [returned.length, packets.length];
      await until(() => returned.length >= back + 50 && packets.length >= seen + 50);
      expect((await streams(stack))[0]?.swaps).toBe(0);
    } finally {
      await viewer?.close();
      await publisher.close();
    }
  });

  it('carries Opus beside the video: the pipeline’s sound back to the publisher (across a failover too), the publisher’s own to a viewer', async () => {
    const sfu = await MediasoupSfu.create();
    const orchestrators = [
      await OrchestratorServer.create({ registry: invertQuietRegistry() }),
      await OrchestratorServer.create({ registry: invertQuietRegistry() }),
    ];
    const gateway = await GatewayServer.create({
      orchestrators: orchestrators.map((o) => o.url),
      sfu,
    });
    stack = {
      gateway,
      orchestrators,
      close: async () => {
        await gateway.close();
        await Promise.all(orchestrators.map((o) => o.close()));
      },
    };
    const publisher = await GstWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'invert-quiet',
      widthPx: 320,
      heightPx: 240,
      codec: 'vp8',
      audio: 'tone',
    });
    const stopBar = pushMovingBar(publisher, 320, 240);
    let viewer: RtpWhepViewer | undefined;
    try {
      const stream = gateway.streams.get(publisher.streamId);
      if (!stream) throw new Error('no stream on the gateway');
      expect(stream.audioCodec?.name).toBe('opus');
      const returned: ReturnedAudio[] = [];
      publisher.on('audio', (audio) => returned.push(audio));
      // The viewer of the publisher's own stream hears the publisher's tone.
      viewer = await RtpWhepViewer.connect(`${gateway.url}/whep/${stream.sourcePlaybackId}`, {
        keepAudioPayloads: true,
      });
      const got = viewer;
      await until(() => returned.length >= 100 && got.audio.packets.length >= 100);
      // The orchestrator's −12 dB (peaks ~2 460), not the original tone (~9 800).
      const peak = medianPeak(returned, 50);
      expectGainedTone(peak);
      const sourcePeak = await decodedMedianPeak(got.audio.packets, 50);
      expect(sourcePeak).toBeGreaterThan(6_000);
      expect(sourcePeak).toBeLessThan(13_000);
      // The video still goes natively, both ways (polled: 100 packets of 10 ms sound can come
      // back before 50 of a 320×240 video's).
      await poll(stack, (view) => view.packetsToOrchestrator > 50 && view.packetsToPublisher > 50);

      // The serving orchestrator ends the session: the stream moves, and the new orchestrator's
      // processed sound comes back; never the publisher's own meanwhile.
      const [serving, standby] =
        (orchestrators[0]?.sessions.size ?? 0) > 0
          ? [orchestrators[0], orchestrators[1]]
          : [orchestrators[1], orchestrators[0]];
      if (!serving || !standby) throw new Error('two orchestrators');
      const closedAt = returned.length;
      for (const session of serving.sessions.values()) await session.close();
      const movedAt = await audioAfterMove(standby, returned, 100);
      const after = medianPeak(returned, movedAt + 50);
      expectGainedTone(after);
      expect(Math.max(...returned.slice(closedAt).map((a) => a.peak))).toBeLessThan(6_000);
    } finally {
      await viewer?.close();
      await stopBar.close();
      await publisher.close();
    }
  });
});
