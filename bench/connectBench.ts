/**
 * `npm run bench:connect`: time to first frame, repeated. A warm dev stack (gateway and one
 * orchestrator, each its own process, as `npm start` runs them); the engine publisher (werift +
 * FFmpeg on a media thread) publishes VP8 at 512² to `passthrough` `BENCH_CONNECTS` times (default
 * 10), one after the other. For each: WHIP POST → publisher connected, then the first frame pushed
 * → the first processed frame back, and their sum (the report's "first frame"). Prints each run
 * and the medians. The first connect is the orchestrator process's first session. BENCH_CODEC
 * (VP8 or H264) and BENCH_PIPELINE choose another codec or pipeline. Figures only: nothing here
 * is asserted.
 */
import { startDevStack } from '@peerframe/cli';
import { runFrameProbe } from '@peerframe/client-sdk/node';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { EngineWhipClient } from '../test/helpers/EngineWhipClient.ts';
import { waitWarm } from './waitWarm.ts';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const connects = Number(process.env.BENCH_CONNECTS ?? 10);
const codec = (process.env.BENCH_CODEC ?? 'VP8') as VideoCodecName;
const pipeline = process.env.BENCH_PIPELINE ?? 'passthrough';
/**
 * Between two connects, ms (default 5000): a session takes the orchestrator's spare media thread,
 * whose replacement starts 3 s later and loads for about a second; a connect sooner would time
 * the thread's start, which a bench of 30 s runs never sees.
 */
const gapMs = Number(process.env.BENCH_CONNECT_GAP_MS ?? 5000);

/** The median of the values that are numbers (a run whose first frame never came has none). */
const median = (values: number[]) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const stack = await startDevStack({
  host: '127.0.0.1',
  gatewayPort: 0,
  orchestratorPort: 0,
  warmup: true,
});
const runs: { connectMs: number; firstFrameMs: number; totalMs: number }[] = [];
try {
  await waitWarm(stack.orchestratorUrl);
  for (let i = 0; i < connects; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const publisher = await EngineWhipClient.connect({
      whipUrl: `${stack.gatewayUrl}/whip`,
      pipeline,
      codec,
    });
    const connectMs = performance.now() - publisher.postedAtMs;
    const probe = await runFrameProbe(publisher, {
      widthPx: 512,
      heightPx: 512,
      // Long enough that a slow first frame is still seen (its time is all this run reports).
      durationMs: 1500,
      warmupMs: 0,
      drainMs: 300,
    });
    await publisher.close();
    const run = {
      connectMs: Math.round(connectMs),
      firstFrameMs: Math.round(probe.firstFrameMs),
      totalMs: Math.round(connectMs + probe.firstFrameMs),
    };
    runs.push(run);
    process.stdout.write(`${JSON.stringify(run)}\n`);
  }
} finally {
  await stack.close();
}
// The first connect is the orchestrator process's first session: apart.
const later = runs.slice(1);
const noFrame = later.filter((r) => !Number.isFinite(r.totalMs)).length;
process.stdout.write(
  `${codec} ${pipeline} 512², connects 2–${runs.length}, medians: connect ${median(later.map((r) => r.connectMs))} ms, first frame after connect ${median(later.map((r) => r.firstFrameMs))} ms, WHIP POST → first frame ${median(later.map((r) => r.totalMs))} ms (${noFrame} without a frame back in 1.8 s)\n`,
);
