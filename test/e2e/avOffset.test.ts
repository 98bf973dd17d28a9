import { MediasoupSfu } from '@peerframe/gateway';
import type { StreamStats } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAvOffsetProbe } from '../helpers/runAvOffsetProbe.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const mediasoupAvailable = await MediasoupSfu.isAvailable();

/**
 * The A/V offset, measured: GStreamer publishes a clip whose clicks line up with its flashes
 * (Opus beside VP8 or H.264), and decodes what comes back — the processed video and the audio the
 * gateway relayed, delayed to match it. Lip sync is a benchmark figure (`npm run bench`); here the
 * offset must be measured on most flashes and stay within a bound no working delay line misses.
 */
/**
 * How far the median offset may be from zero, ms: lip sync is judged in the benchmark; this catches
 * a delay line that is missing (the slow pipeline below would put the sound ~160 ms early) or
 * seconds off.
 */
const boundMs = 80;

/**
 * Publishes the clip with VP8 while the orchestrator's pipeline takes 100 ms more a frame, and
 * checks the sound came back held as long as the video (the offset within `boundMs`).
 */
async function expectSyncWithSlowPipeline(stack: TestStack, label: string): Promise<void> {
  let stats: StreamStats | undefined;
  const result = await runAvOffsetProbe({
    whipUrl: stack.whipUrl,
    widthPx: 320,
    heightPx: 240,
    codec: 'vp8',
    durationS: 12,
    // ~9 frames a second get through: a 6-frame flash is never missed.
    flashEveryFrames: 27,
    flashFrames: 6,
    onAnswer: async (streamId) => {
      const gateway = (await stack.streams()).find((s) => s.id === streamId);
      const session = (await stack.sessions()).find((s) => gateway?.orchestratorSessionId === s.id);
      if (!session) throw new Error('no orchestrator session for the stream');
      await stack.slowPipeline(session.id, { pipelineDelayMs: 100, durationMs: 30_000 });
    },
    beforeClose: async (streamId) => {
      stats = (await stack.streams()).find((s) => s.id === streamId);
    },
  });
  console.info(`A/V offset with a slow pipeline (${label})`, result, stats?.audio);
  // The video now comes back well over 100 ms late; the sound was held back as long.
  expect(stats?.audio?.videoLagMs).toBeGreaterThan(100);
  expect(result.flashesExpected).toBeGreaterThanOrEqual(5);
  expect(result.offsetsMs.length).toBeGreaterThanOrEqual(result.flashesExpected - 1);
  expect(Math.abs(result.offsetP50Ms ?? Number.NaN)).toBeLessThan(boundMs);
}

describe('A/V offset of a clip whose clicks line up with its flashes', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ faultInjection: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  for (const codec of ['vp8', 'h264'] as const) {
    it(`measures the offset with Opus + ${codec.toUpperCase()}`, async () => {
      let stats: StreamStats | undefined;
      const result = await runAvOffsetProbe({
        whipUrl: stack.whipUrl,
        widthPx: 320,
        heightPx: 240,
        codec,
        durationS: 12,
        beforeClose: async (streamId) => {
          stats = (await stack.streams()).find((s) => s.id === streamId);
        },
      });
      console.info(`A/V offset ${codec}`, result, stats?.audio);
      // Each flash sent after the start-up (~15) is found and paired with its click.
      expect(result.flashesExpected).toBeGreaterThanOrEqual(5);
      expect(result.offsetsMs.length).toBeGreaterThanOrEqual(result.flashesExpected - 1);
      expect(Math.abs(result.offsetP50Ms ?? Number.NaN)).toBeLessThan(boundMs);
    });
  }

  it('keeps sound and picture together when the pipeline takes 100 ms more a frame', async () => {
    await expectSyncWithSlowPipeline(stack, 'werift');
  });
});

/**
 * The mediasoup backend, whose publisher video never reaches JavaScript: the delay line follows
 * the processed video's lag from the orchestrator's records (each names its source frame's RTP
 * timestamp), the processed frames crossing the return hop, and the senders' reports read from
 * the worker's `sr` trace events.
 */
describe.skipIf(!mediasoupAvailable)('A/V offset on the mediasoup backend', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // The orchestrator's faults only: the gateway's fault-injection legs wrap werift's.
    stack = await startStack({
      gatewayArgs: ['--sfu', 'mediasoup'],
      orchestratorArgs: ['--fault-injection'],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps sound and picture together when the pipeline takes 100 ms more a frame', async () => {
    await expectSyncWithSlowPipeline(stack, 'mediasoup');
  });
});
