import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type {
  FromPipelinePort,
  PictureMessage,
  PipelineCounts,
  SendMessage,
  ToPipelinePort,
} from './mediaMessages.ts';
import { PipelinePort } from './PipelinePort.ts';

const picture = (n: number): PictureMessage => ({
  type: 'picture',
  widthPx: 2,
  heightPx: 2,
  data: new Uint8Array([n, n, n, n, 128, 128]),
  decodedAtMs: n,
  rtpTimestamp: n * 3000,
});

describe('PipelinePort (the media thread’s end of the channel to the inference thread)', () => {
  it('sends a picture only when asked, the newest one, and counts what it dropped', async () => {
    const { port1, port2 } = new MessageChannel();
    const sent: SendMessage[] = [];
    const media = new PipelinePort(port1, 1, (message) => sent.push(message));
    const received: ToPipelinePort[] = [];
    port2.on('message', (message: ToPipelinePort) => received.push(message));
    try {
      media.push(picture(1));
      media.push(picture(2));
      const third = picture(3);
      media.push(third);
      // Nothing was asked for: nothing crossed.
      await new Promise((resolve) => setImmediate(resolve));
      expect(received).toEqual([]);
      port2.postMessage({ type: 'ready' } satisfies FromPipelinePort);
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]).toMatchObject({
        decodedAtMs: 3,
        rtpTimestamp: 9000,
        framesIn: 3,
        framesDropped: 2,
      });
      expect([...(received[0]?.data ?? [])]).toEqual([3, 3, 3, 3, 128, 128]);
      // Its buffer moved (no copy).
      expect(third.data.byteLength).toBe(0);
      // Asked for again: the next picture goes, and only that one.
      port2.postMessage({ type: 'ready' } satisfies FromPipelinePort);
      media.push(picture(4));
      await expect.poll(() => received.length).toBe(2);
      media.push(picture(5));
      await new Promise((resolve) => setImmediate(resolve));
      expect(received.map((m) => m.decodedAtMs)).toEqual([3, 4]);
      // Processed pictures coming back are handed to the encoder.
      const done: SendMessage = {
        type: 'send',
        widthPx: 2,
        heightPx: 2,
        data: new Uint8Array(6),
        doneAtMs: 9,
      };
      port2.postMessage(done satisfies FromPipelinePort);
      await expect.poll(() => sent.map((m) => m.doneAtMs)).toEqual([9]);
    } finally {
      media.close();
      media.close();
      port2.close();
    }
  });

  // The session counted frames in and dropped from the inference thread's per-frame reports,
  // so while a pipeline was stuck its counts stood still however many frames arrived.
  it('reports the counts on its own while the inference thread takes nothing', async () => {
    const { port1, port2 } = new MessageChannel();
    const counts: PipelineCounts[] = [];
    const media = new PipelinePort(
      port1,
      1,
      () => {},
      (c) => counts.push(c),
      20,
    );
    const received: ToPipelinePort[] = [];
    port2.on('message', (message: ToPipelinePort) => received.push(message));
    try {
      port2.postMessage({ type: 'ready' } satisfies FromPipelinePort);
      media.push(picture(1));
      await expect.poll(() => received.length).toBe(1);
      // The inference thread is stuck on picture 1: no report comes from there any more.
      for (let n = 2; n <= 6; n++) media.push(picture(n));
      await expect.poll(() => counts.at(-1)).toEqual({ framesIn: 6, framesDropped: 4 });
      // Nothing new: nothing more is said.
      const said = counts.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(counts).toHaveLength(said);
      media.close();
      media.push(picture(7));
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(counts).toHaveLength(said);
    } finally {
      media.close();
      port2.close();
    }
  });
});
