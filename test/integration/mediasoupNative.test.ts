import { readFrameMarker } from '@peerframe/client-sdk';
import { NodeWhepViewer, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { installWrtcExitGuard } from '@peerframe/core/wrtc';
import { MediasoupSfu } from '@peerframe/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectFramesBack,
  type InProcessStack,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

const available = await MediasoupSfu.isAvailable();
if (!available) {
  console.log(
    'mediasoup worker not present: set MEDIASOUP_WORKER_BIN (tools/mediasoup-worker) or install mediasoup on a networked machine (the native mediasoup forwarding tests are skipped)',
  );
}

type StreamView = {
  id: string;
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
});
