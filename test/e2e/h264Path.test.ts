import {
  NodeWhepViewer,
  type ReceivedFrame,
  readFrameMarker,
  runFrameProbe,
} from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineWhipClient } from '../helpers/EngineWhipClient.ts';
import { GstWhipPublisher } from '../helpers/GstWhipPublisher.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

// Inverting RGB in limited-range BT.601 maps luma Y to 16 + 235 − Y.
const invertedLuma = (y: number) => 251 - y;

describe('H.264 end to end: publisher → gateway (forwards) → orchestrator (decodes, inverts, encodes) → back', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('takes GStreamer webrtcbin with x264enc over WHIP and returns H.264, every frame inverted', async () => {
    const publisher = await GstWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
      widthPx: 320,
      heightPx: 240,
    });
    try {
      const [stream] = await stack.streams();
      if (!stream) throw new Error('no stream on the gateway');
      // The gateway kept the publisher's codec for the orchestrator leg: no transcoding anywhere.
      expect(stream.codec).toBe('H264');
      const result = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 8_000,
        expectLuma: invertedLuma,
      });
      const { samples: _samples, ...summary } = result;
      const view = await stack.session((await stack.streams())[0]?.orchestratorSessionId ?? '');
      console.info('GStreamer H.264 invert path', summary, view);
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.9);
      expect(result.framesInverted).toBe(result.framesReturned);
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesOutOfOrder).toBe(0);
      expect(result.returnedSizes).toEqual(['320x240']);
      const transport = await stack.transport(
        (await stack.streams())[0]?.orchestratorSessionId ?? '',
      );
      expect(transport).toMatchObject({ codec: 'H264', decoder: 'h264', encoder: 'libx264' });
      expect(transport.framesDecoded).toBeGreaterThan(150);
    } finally {
      await publisher.close();
    }
    await expect.poll(async () => (await stack.streams()).length).toBe(0);
    await expect.poll(async () => (await stack.sessions()).length).toBe(0);
  });

  it('gives WHEP viewers the stream’s codec, and refuses a viewer that cannot decode it', async () => {
    const publisher = await EngineWhipClient.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
      codec: 'H264',
    });
    let viewer: EngineWhipClient | undefined;
    try {
      if (!publisher.playbackUrl) throw new Error('no playback URL');
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 4_000,
        expectLuma: invertedLuma,
      });
      viewer = await EngineWhipClient.connect({ whepUrl: publisher.playbackUrl, codec: 'H264' });
      const seen: ReceivedFrame[] = [];
      viewer.on('frame', (frame) => seen.push(frame));
      const result = await probe;
      expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.9);
      expect(result.framesInverted).toBe(result.framesReturned);
      // The viewer decoded the processed H.264 stream: inverted frames, markers readable.
      const markers = seen.map((f) => readFrameMarker(f.data, f.widthPx, f.heightPx));
      expect(markers.filter((m) => m?.inverted).length).toBeGreaterThan(30);
      // libwebrtc through wrtc decodes no H.264: it cannot watch this stream.
      await expect(
        NodeWhepViewer.connect({ whepUrl: publisher.playbackUrl }),
      ).rejects.toMatchObject({
        status: 400,
        code: 'unsupported_codec',
      });
    } finally {
      await viewer?.close();
      await publisher.close();
    }
  });
});
