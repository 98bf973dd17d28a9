/**
 * `npm run bench`: the walking-skeleton path measured end to end. For 512×512 and 1280×720, for
 * `passthrough` and `invert`, a Node publisher pushes numbered frames at 30 fps through the real
 * gateway and orchestrator (each in its own process, as `npm start` runs them) and reads the
 * frame numbers back; then each pipeline runs bare (no network) on the same frames. Prints a table
 * and writes bench/results/latest.json, BENCHMARKS.md and an SVG chart per network run. Figures
 * only: nothing here is asserted.
 *
 * BENCH_DURATION_MS (default 30000) shortens the runs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startDevStack } from '@peerframe/cli';
import {
  longestGapMs,
  NodeWhipPublisher,
  runFrameProbe,
  SyntheticVideo,
} from '@peerframe/client-sdk/node';
import { defaultPipelineRegistry, type Frame } from '@peerframe/pipelines';
import { type ChartedRun, fpsTimeline, latencyHistogram, renderReport } from './renderReport.ts';

// The nodes' info logs would bury the figures; warnings still show.
process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 30_000);
const sizes = [
  [512, 512],
  [1280, 720],
] as const;
const pipelines = ['passthrough', 'invert'] as const;
/** Measured bare only: the frame-number band does not survive a blurred background. */
const barePipelines = [
  ...pipelines,
  'background-blur',
  'sketch',
  'toon',
  'color-grade',
  'pixelate',
] as const;
const expectLuma = { passthrough: (y: number) => y, invert: (y: number) => 251 - y };

/** A run as the report charts it, plus what only the JSON keeps. */
type Run = ChartedRun & {
  framesWrongContent?: number;
  framesDroppedAtOrchestrator?: number;
  returnedSizes?: string[];
};

const clockTicksPerSecond = 100;

/** CPU seconds (user + system) used so far by a process. */
function cpuSeconds(pid: number): number {
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const round = (n: number | null, digits = 1) =>
  n === null || Number.isNaN(n) ? null : Number(n.toFixed(digits));

async function networkRun(
  stack: Awaited<ReturnType<typeof startDevStack>>,
  widthPx: number,
  heightPx: number,
  pipeline: (typeof pipelines)[number],
): Promise<Run> {
  const connectStarted = performance.now();
  const publisher = await NodeWhipPublisher.connect({
    whipUrl: `${stack.gatewayUrl}/whip`,
    pipeline,
  });
  const connectMs = performance.now() - connectStarted;
  const pids = [process.pid, ...stack.pids];
  const cpuBefore = pids.map(cpuSeconds);
  const wallBefore = performance.now();
  const result = await runFrameProbe(publisher, {
    widthPx,
    heightPx,
    fps: 30,
    durationMs,
    expectLuma: expectLuma[pipeline],
  });
  const wallS = (performance.now() - wallBefore) / 1000;
  const cpu = pids.map(cpuSeconds).reduce((sum, s, i) => sum + s - (cpuBefore[i] ?? 0), 0);
  const { sessions } = (await (await fetch(`${stack.orchestratorUrl}/sessions`)).json()) as {
    sessions: { pipeline: string; pipelineMsP50: number; framesDropped: number }[];
  };
  await publisher.close();
  const session = sessions.find((s) => s.pipeline === pipeline);
  return {
    size: `${widthPx}x${heightPx}`,
    pipeline,
    mode: 'network',
    framesSent: result.framesSent,
    framesReturned: result.framesReturned,
    fpsOut: round(result.fpsOut) ?? 0,
    latencyP50Ms: round(result.latencyP50Ms),
    latencyP95Ms: round(result.latencyP95Ms),
    latencyP99Ms: round(result.latencyP99Ms),
    pipelineMsP50: round(session?.pipelineMsP50 ?? Number.NaN, 3) ?? 0,
    cpuPercent: round((cpu / wallS) * 100) ?? 0,
    framesWrongContent: result.framesWrongContent,
    connectMs: round(connectMs) ?? 0,
    latencyHistogram: latencyHistogram(result.samples.map(([, ms]) => ms)),
    fpsTimeline: fpsTimeline(result.samples.map(([, , at]) => at)),
    firstFrameMs: round(result.firstFrameMs) ?? 0,
    framesDroppedAtOrchestrator: session?.framesDropped ?? 0,
    returnedSizes: result.returnedSizes,
  };
}

async function bareRun(
  widthPx: number,
  heightPx: number,
  pipeline: (typeof barePipelines)[number],
): Promise<Run> {
  const instance = await defaultPipelineRegistry().create(pipeline, {});
  const video = new SyntheticVideo(widthPx, heightPx);
  const frames: Frame[] = Array.from({ length: 30 }, (_, n) => ({
    ...video.frame(n),
    format: 'i420',
    timestampUs: 0,
  }));
  const count = Math.max(60, Math.round((Math.min(durationMs, 10_000) * 30) / 1000));
  const times: number[] = [];
  const cpuBefore = cpuSeconds(process.pid);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await instance.process(frames[i % frames.length] as Frame);
    times.push(performance.now() - t);
  }
  const wallS = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(process.pid) - cpuBefore;
  await instance.close();
  times.sort((a, b) => a - b);
  return {
    size: `${widthPx}x${heightPx}`,
    pipeline,
    mode: 'bare',
    framesSent: count,
    framesReturned: count,
    fpsOut: round(count / wallS) ?? 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    pipelineMsP50: round(quantile(times, 0.5), 3) ?? 0,
    cpuPercent: round((cpu / wallS) * 100) ?? 0,
  };
}

/**
 * Failover: two orchestrators, a 512² passthrough stream, the serving orchestrator SIGKILLed after
 * 3 s; the freeze is the longest gap between two frames the publisher gets back.
 */
async function failoverRun(): Promise<{
  freezeMs: number;
  framesSent: number;
  framesReturned: number;
}> {
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    orchestrators: 2,
  });
  try {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gatewayUrl}/whip`,
      pipeline: 'passthrough',
    });
    const { streams } = (await (await fetch(`${stack.gatewayUrl}/streams`)).json()) as {
      streams: { orchestrator: string }[];
    };
    const serving = stack.nodes.find((n) => n.url === streams[0]?.orchestrator);
    const probe = runFrameProbe(publisher, {
      widthPx: 512,
      heightPx: 512,
      fps: 30,
      durationMs: 6_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    if (serving) process.kill(serving.pid, 'SIGKILL');
    const result = await probe;
    await publisher.close();
    return {
      freezeMs: round(longestGapMs(result).gapMs) ?? 0,
      framesSent: result.framesSent,
      framesReturned: result.framesReturned,
    };
  } finally {
    await stack.close();
  }
}

const stack = await startDevStack({ host: '127.0.0.1', gatewayPort: 0, orchestratorPort: 0 });
const runs: Run[] = [];
try {
  for (const [w, h] of sizes) {
    for (const pipeline of pipelines) {
      process.stdout.write(`network ${w}x${h} ${pipeline} (${durationMs / 1000} s)…\n`);
      runs.push(await networkRun(stack, w, h, pipeline));
    }
  }
} finally {
  await stack.close();
}
for (const [w, h] of sizes)
  for (const pipeline of barePipelines) runs.push(await bareRun(w, h, pipeline));
process.stdout.write('failover (kill the serving orchestrator)…\n');
const failover = await failoverRun();

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
const report = { date: new Date().toISOString(), machine, durationMs, runs, failover };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/latest.json', import.meta.url),
  `${JSON.stringify(report, null, 2)}\n`,
);
renderReport(
  report,
  new URL('../BENCHMARKS.md', import.meta.url),
  new URL('./results/', import.meta.url),
);
console.table(
  runs.map((r) => ({
    size: r.size,
    pipeline: r.pipeline,
    mode: r.mode,
    sent: r.framesSent,
    returned: r.framesReturned,
    fpsOut: r.fpsOut,
    p50ms: r.latencyP50Ms,
    p95ms: r.latencyP95Ms,
    pipelineMs: r.pipelineMsP50,
    firstMs: r.firstFrameMs === undefined ? null : Math.round((r.connectMs ?? 0) + r.firstFrameMs),
    cpu: r.cpuPercent,
  })),
);
console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; wrote bench/results/latest.json, BENCHMARKS.md and charts`,
);
