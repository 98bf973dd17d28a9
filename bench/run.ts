/**
 * `npm run bench`: every figure the project reports, measured on this machine.
 * - Through the whole stack: for 512×512 and 1280×720, for `passthrough`, `invert` and
 *   `background-blur`, and for VP8 and H.264 with the same publisher (PeerFrame's own media engine
 *   on a media thread: werift + FFmpeg), a Node publisher pushes numbered frames at 30 fps through
 *   the real gateway and a warm orchestrator (each in its own process, as `npm start` runs them)
 *   and reads the frame numbers back: round-trip latency, fps, time to first processed frame
 *   (WHIP POST → first processed frame back), CPU (all processes, and the orchestrator alone: its
 *   cost per stream) and RSS. The full run adds VP8 from libwebrtc (the Node SDK's publisher).
 * - Each pipeline bare (no network); failover freeze; payments (tickets signed/verified per
 *   second, gas per redemption, redemptions per stream-hour); pipelines and workflows at three
 *   sizes with the framework's overhead; audio pipelines (RNNoise's SNR gain on noisy speech, CPU
 *   per audio stream in the pipeline alone and at the orchestrator, audio-only streams end to end); gateway streams per core; gateway capacity to the knee with
 *   replayed RTP and an echo orchestrator (bench/capacityBench.ts, about 3 minutes at most), then
 *   once more with the gateway in a 0.5-core cgroup CPU quota, its knee measured (about 2 more).
 * Prints a table and writes bench/results/latest.json, BENCHMARKS.md and SVG charts. Figures
 * only: nothing here is asserted.
 *
 * `--quick` (under 2 minutes): 512² only, 5 s runs, short sub-benches. BENCH_DURATION_MS
 * overrides the run length.
 *
 * `--only SIZE/PIPELINE/CODEC[/libwebrtc]` (several allowed, e.g. `--only 1280x720/invert/VP8
 * --only 1280x720/passthrough/H264`): those network runs alone (the engine publisher unless
 * `/libwebrtc` is given), each `--rounds N` times (default 1) on one stack; prints their figures
 * with the per-hop medians and writes nothing else (for A/B runs of a change: interleave old and
 * new, same load).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startDevStack } from '@peerframe/cli';
import {
  ControlClient,
  gatewayToPublisherMs,
  longestGapMs,
  NodeWhipPublisher,
  readDecoderSample,
  runFrameProbe,
  SyntheticVideo,
} from '@peerframe/client-sdk/node';
import { type HopTimings, hopNames } from '@peerframe/core/frameTiming';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { defaultPipelineRegistry, type Frame } from '@peerframe/pipelines';
import { EngineWhipClient } from '../test/helpers/EngineWhipClient.ts';
import { runAudioBench } from './audioBench.ts';
import { runAudioStreamsBench } from './audioStreamsBench.ts';
import { runAvOffsetBench } from './avOffsetBench.ts';
import { runCapacityBench } from './capacityBench.ts';
import { runPaymentsBench } from './paymentsBench.ts';
import { runPipelinesBench } from './pipelinesBench.ts';
import {
  type BenchReport,
  type ChartedRun,
  firstFrameFromPostMs,
  fpsTimeline,
  latencyHistogram,
  renderReport,
} from './renderReport.ts';
import { runSfuBench } from './sfuBench.ts';
import { waitWarm } from './waitWarm.ts';
import { runWorkersBench } from './workersBench.ts';

// The nodes' info logs would bury the figures; warnings still show.
process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const quick = process.argv.includes('--quick');
/** `--only` selections, as `size/pipeline/codec/publisher` keys. */
const only = process.argv
  .flatMap((arg, i) => (process.argv[i - 1] === '--only' ? [arg] : []))
  .map((spec) => {
    const [size, pipeline, codec, publisher = 'engine'] = spec.split('/');
    if (!size || !pipeline || !codec)
      throw new Error(`--only takes SIZE/PIPELINE/CODEC, got ${spec}`);
    return `${size}/${pipeline}/${codec}/${publisher}`;
  });
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt === -1 ? 1 : Number(process.argv[roundsAt + 1]);
const durationMs = Number(process.env.BENCH_DURATION_MS ?? (quick ? 5_000 : 30_000));
const sizes: readonly (readonly [number, number])[] =
  quick && only.length === 0
    ? [[512, 512]]
    : [
        [512, 512],
        [1280, 720],
      ];
const pipelines = ['passthrough', 'invert', 'background-blur'] as const;
/** Who publishes: the engine (both codecs, same publisher), or libwebrtc through wrtc (VP8 only). */
type PublisherKind = 'engine' | 'libwebrtc';
const publishers: readonly { publisher: PublisherKind; codec: VideoCodecName }[] = [
  { publisher: 'engine', codec: 'VP8' },
  { publisher: 'engine', codec: 'H264' },
  ...(quick && only.length === 0
    ? []
    : [{ publisher: 'libwebrtc' as const, codec: 'VP8' as const }]),
];
/** Also measured bare: what they draw over the frame hides the frame numbers. */
const barePipelines = [
  ...pipelines,
  'face-boxes',
  'background-replace',
  'sketch',
  'toon',
  'color-grade',
  'pixelate',
] as const;
/** What each frame should look like back (background-blur changes it: only timing counts). */
const expectLuma: Record<(typeof pipelines)[number], ((y: number) => number) | undefined> = {
  passthrough: (y) => y,
  invert: (y) => 251 - y,
  'background-blur': undefined,
};

/** A run as the report charts it, plus what only the JSON keeps. */
type Run = ChartedRun & {
  framesWrongContent?: number;
  framesUnreadable?: number;
  framesDroppedAtOrchestrator?: number;
  /** Pictures the orchestrator decoded for the pipeline, and processed pictures it sent back. */
  framesInAtOrchestrator?: number;
  framesOutAtOrchestrator?: number;
  /**
   * Where else the orchestrator lost frames (its session's media counters): never decoded
   * (undecodable, or its backlog dropped), dropped before the encoder, and RTP packets lost.
   */
  orchestratorLosses?: {
    framesUndecodable: number;
    framesDroppedBeforeDecode: number;
    framesDroppedBeforeEncode: number;
    packetsLost: number;
  };
  returnedSizes?: string[];
  /**
   * Per-hop medians over the run, ms (the median of the gateway's per-second medians, the
   * publisher's own last hop over the whole run), and how many frames were timed.
   */
  hopsP50Ms?: Omit<HopTimings, 'frames'>;
  framesTimed?: number;
  /**
   * The libwebrtc publisher's offer and ICE gathering before its WHIP POST, ms: before
   * `connectMs` and the first frame, which count from the POST.
   */
  offerMs?: number;
  /** Resident memory of the gateway and orchestrator processes at the end of the run, MB. */
  rssMb?: { gateway: number; orchestrator: number };
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

/** Resident set size of a process, MB. */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
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
  { publisher: kind, codec }: { publisher: PublisherKind; codec: VideoCodecName },
): Promise<Run> {
  const connectStarted = performance.now();
  const whipUrl = `${stack.gatewayUrl}/whip`;
  const publisher =
    kind === 'libwebrtc'
      ? await NodeWhipPublisher.connect({ whipUrl, pipeline })
      : await EngineWhipClient.connect({ whipUrl, pipeline, codec });
  // From the WHIP POST, for both publishers: WHIP POST → connected. What comes before it is the
  // publisher's own: the engine starts its media thread, libwebrtc makes its offer and gathers
  // its ICE candidates (`offerMs`), as a browser has its camera and peer ready.
  const connectMs = performance.now() - publisher.postedAtMs;
  // The gateway's per-second hop medians, from the stream's control channel.
  const control = await ControlClient.connect({
    gatewayUrl: stack.gatewayUrl,
    streamId: publisher.streamId,
  });
  const seconds: Partial<HopTimings>[] = [];
  control.on('stats', ({ hops }) => {
    if (hops?.frames) seconds.push(hops);
  });
  const decoderStats = async () =>
    publisher instanceof NodeWhipPublisher
      ? readDecoderSample((await publisher.getStats()).values())
      : undefined;
  const decoderBefore = await decoderStats();
  const orchestratorPid = stack.nodes.find((n) => n.role === 'orchestrator')?.pid ?? 0;
  const orchestratorCpuBefore = cpuSeconds(orchestratorPid);
  const pids = [process.pid, ...stack.pids];
  const cpuBefore = pids.map(cpuSeconds);
  const wallBefore = performance.now();
  const result = await runFrameProbe(publisher, {
    widthPx,
    heightPx,
    fps: 30,
    durationMs,
    ...(expectLuma[pipeline] ? { expectLuma: expectLuma[pipeline] } : {}),
  });
  const decoderAfter = await decoderStats();
  control.close();
  const hopsP50Ms = Object.fromEntries(
    hopNames.map((name) => {
      const values = seconds
        .map((second) => second[name])
        .filter((ms): ms is number => ms !== undefined)
        .sort((a, b) => a - b);
      return [name, values.length === 0 ? undefined : round(quantile(values, 0.5))];
    }),
  ) as Omit<HopTimings, 'frames'>;
  // The last hop from libwebrtc's decoder stats; the engine publisher has none to read.
  hopsP50Ms.gatewayToPublisher =
    decoderBefore && decoderAfter ? gatewayToPublisherMs(decoderBefore, decoderAfter) : undefined;
  const framesTimed = seconds.reduce((sum, second) => sum + (second.frames ?? 0), 0);
  const gatewayPid = stack.nodes.find((n) => n.role === 'gateway')?.pid ?? 0;
  const rss = { gateway: rssMb(gatewayPid), orchestrator: rssMb(orchestratorPid) };
  const wallS = (performance.now() - wallBefore) / 1000;
  const cpu = pids.map(cpuSeconds).reduce((sum, s, i) => sum + s - (cpuBefore[i] ?? 0), 0);
  const orchestratorCpu = cpuSeconds(orchestratorPid) - orchestratorCpuBefore;
  const operator = { headers: { authorization: `Bearer ${stack.orchestratorAdminToken}` } };
  const { sessions } = (await (
    await fetch(`${stack.orchestratorUrl}/sessions`, operator)
  ).json()) as {
    sessions: {
      id: string;
      pipeline: string;
      state: string;
      pipelineMsP50: number;
      framesIn: number;
      framesOut: number;
      framesDropped: number;
    }[];
  };
  // This run's session: the live one of this pipeline that took frames (the orchestrator may
  // list another, opened without frames, and the earlier rows' until they are gone).
  const session = sessions
    .filter((s) => s.pipeline === pipeline && s.state !== 'closed')
    .sort((a, b) => b.framesIn - a.framesIn)[0];
  const viewed =
    session && (await fetch(`${stack.orchestratorUrl}/sessions/${session.id}`, operator));
  const transport = viewed?.ok
    ? ((await viewed.json()) as { transport: Run['orchestratorLosses'] | null }).transport
    : undefined;
  await publisher.close();
  return {
    size: `${widthPx}x${heightPx}`,
    pipeline,
    mode: 'network',
    codec,
    publisher: kind,
    framesSent: result.framesSent,
    framesReturned: result.framesReturned,
    fpsOut: round(result.fpsOut) ?? 0,
    latencyP50Ms: round(result.latencyP50Ms),
    latencyP95Ms: round(result.latencyP95Ms),
    latencyP99Ms: round(result.latencyP99Ms),
    pipelineMsP50: round(session?.pipelineMsP50 ?? Number.NaN, 3) ?? 0,
    cpuPercent: round((cpu / wallS) * 100) ?? 0,
    orchestratorCpuPercent: round((orchestratorCpu / wallS) * 100) ?? 0,
    ...(expectLuma[pipeline] ? { framesWrongContent: result.framesWrongContent } : {}),
    framesUnreadable: result.framesUnreadable,
    rssMb: rss,
    connectMs: round(connectMs) ?? 0,
    ...(publisher instanceof NodeWhipPublisher
      ? { offerMs: round(publisher.postedAtMs - connectStarted) ?? 0 }
      : {}),
    latencyHistogram: latencyHistogram(result.samples.map(([, ms]) => ms)),
    fpsTimeline: fpsTimeline(result.samples.map(([, , at]) => at)),
    firstFrameMs: round(result.firstFrameMs) ?? 0,
    framesDroppedAtOrchestrator: session?.framesDropped ?? 0,
    framesInAtOrchestrator: session?.framesIn ?? 0,
    framesOutAtOrchestrator: session?.framesOut ?? 0,
    ...(transport
      ? {
          orchestratorLosses: {
            framesUndecodable: transport.framesUndecodable,
            framesDroppedBeforeDecode: transport.framesDroppedBeforeDecode,
            framesDroppedBeforeEncode: transport.framesDroppedBeforeEncode,
            packetsLost: transport.packetsLost,
          },
        }
      : {}),
    returnedSizes: result.returnedSizes,
    hopsP50Ms,
    framesTimed,
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

const startedAt = performance.now();
const stack = await startDevStack({
  host: '127.0.0.1',
  gatewayPort: 0,
  orchestratorPort: 0,
  warmup: true,
});
const runs: Run[] = [];
try {
  await waitWarm(stack.orchestratorUrl);
  for (let round = 0; round < (only.length > 0 ? rounds : 1); round++)
    for (const [w, h] of sizes) {
      for (const pipeline of pipelines) {
        for (const publisher of publishers) {
          const key = `${w}x${h}/${pipeline}/${publisher.codec}/${publisher.publisher}`;
          if (only.length > 0 && !only.includes(key)) continue;
          process.stdout.write(
            `network ${w}x${h} ${pipeline} ${publisher.codec} from ${publisher.publisher} (${durationMs / 1000} s)…\n`,
          );
          runs.push(await networkRun(stack, w, h, pipeline, publisher));
        }
      }
    }
} finally {
  await stack.close();
}
if (only.length > 0) {
  console.table(
    runs.map((r) => ({
      run: `${r.size}/${r.pipeline}/${r.codec}/${r.publisher}`,
      sent: r.framesSent,
      returned: r.framesReturned,
      // Decoded at the orchestrator, and processed pictures it sent back.
      orchIn: r.framesInAtOrchestrator ?? null,
      orchOut: r.framesOutAtOrchestrator ?? null,
      // Replaced by a newer frame before the pipeline took them (latest frame wins).
      dropped: r.framesDroppedAtOrchestrator ?? null,
      // Undecodable / decoder backlog dropped / dropped before the encoder / RTP packets lost.
      otherLoss: r.orchestratorLosses ? Object.values(r.orchestratorLosses).join('/') : null,
      fpsOut: r.fpsOut,
      p50ms: r.latencyP50Ms,
      p95ms: r.latencyP95Ms,
      p99ms: r.latencyP99Ms,
      orchCpu: r.orchestratorCpuPercent ?? null,
      cpu: r.cpuPercent,
      connectMs: r.connectMs ?? null,
      offerMs: r.offerMs ?? null,
      firstFrameMs: firstFrameFromPostMs(r),
    })),
  );
  console.table(runs.map((r) => ({ run: `${r.size}/${r.pipeline}/${r.codec}`, ...r.hopsP50Ms })));
  process.exit(0);
}
for (const [w, h] of sizes)
  for (const pipeline of barePipelines) runs.push(await bareRun(w, h, pipeline));
process.stdout.write('failover (kill the serving orchestrator)…\n');
const failover = await failoverRun();
process.stdout.write('payments…\n');
const payments = await runPaymentsBench({ quick });
process.stdout.write('pipelines and workflows…\n');
const pipelinesBench = await runPipelinesBench({ quick });
process.stdout.write('audio pipelines…\n');
const audio = await runAudioBench({ quick });
process.stdout.write('CPU per audio-only stream at the orchestrator…\n');
const audioStreams = await runAudioStreamsBench({ quick });
process.stdout.write('A/V offset (a clip whose clicks line up with its flashes)…\n');
const avOffset = await runAvOffsetBench({ quick });
process.stdout.write('gateway streams per core…\n');
const sfu = await runSfuBench({ quick });
process.stdout.write('remote workers (direct, relayed, hand-over)…\n');
const workers = await runWorkersBench({ quick });
process.stdout.write('gateway capacity to the knee (replayed RTP, echo orchestrator)…\n');
const capacity = await runCapacityBench({ quick });

/** The headline latency figures, by pipeline and size. */
const latency = Object.fromEntries(
  runs
    .filter((r) => r.mode === 'network')
    .map((r) => [
      `${r.pipeline}@${r.size}/${r.codec}${r.publisher === 'libwebrtc' ? ' (libwebrtc)' : ''}`,
      {
        roundTripP50Ms: r.latencyP50Ms,
        roundTripP95Ms: r.latencyP95Ms,
        roundTripP99Ms: r.latencyP99Ms,
        fpsOut: r.fpsOut,
        pipelineMsP50: r.pipelineMsP50,
        firstFrameMs: firstFrameFromPostMs(r),
        hopsP50Ms: r.hopsP50Ms ?? null,
        framesTimed: r.framesTimed ?? 0,
        framesReturnedPercent: round((100 * r.framesReturned) / Math.max(1, r.framesSent)) ?? 0,
        orchestratorCpuPercent: r.orchestratorCpuPercent ?? null,
      },
    ]),
);

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
const report: BenchReport = {
  date: new Date().toISOString(),
  machine,
  quick,
  durationMs,
  runs,
  latency,
  failover,
  payments,
  pipelines: pipelinesBench,
  audio,
  audioStreams,
  avOffset,
  sfu,
  workers,
  capacity,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(quick ? './results/quick.json' : './results/latest.json', import.meta.url),
  `${JSON.stringify(report, null, 2)}\n`,
);
if (!quick) {
  renderReport(
    report,
    new URL('../BENCHMARKS.md', import.meta.url),
    new URL('./results/', import.meta.url),
  );
}
console.table(
  runs.map((r) => ({
    size: r.size,
    pipeline: r.pipeline,
    mode: r.mode,
    codec: r.codec ?? '',
    publisher: r.publisher ?? '',
    sent: r.framesSent,
    returned: r.framesReturned,
    fpsOut: r.fpsOut,
    p50ms: r.latencyP50Ms,
    p95ms: r.latencyP95Ms,
    pipelineMs: r.pipelineMsP50,
    firstFrameMs: firstFrameFromPostMs(r),
    cpu: r.cpuPercent,
    orchCpu: r.orchestratorCpuPercent ?? null,
  })),
);
console.table({
  ticketsSignedPerSecond: payments.ticketsSignedPerSecond,
  ticketsVerifiedPerSecond: payments.ticketsVerifiedPerSecond,
  gasPerRedeemWinningTicket: payments.gasPerRedeemWinningTicket,
  redemptionsPerStreamHour: payments.redemptionsPerStreamHour,
  failoverFreezeMs: failover.freezeMs,
  workerHandoverFreezeMs: workers.handover.freezeMs,
  workerDirectExtraRoundTripMs: workers.paths[1]?.extraRoundTripMs ?? null,
  workerRelayExtraRoundTripMs: workers.paths[2]?.extraRoundTripMs ?? null,
  sfuStreamsPerCoreExtrapolated: sfu.streamsPerCore,
  ...Object.fromEntries(
    capacity.codecs.map((c) => [
      `capacityKneeStreams ${c.backend} ${c.codec}${c.gatewayCpuQuota ? ` (${c.gatewayCpuQuota.cores}-core quota)` : ''}`,
      c.knee?.streams ?? 0,
    ]),
  ),
});
console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${Math.round((performance.now() - startedAt) / 1000)} s; wrote ${quick ? 'bench/results/quick.json' : 'bench/results/latest.json, BENCHMARKS.md and charts'}`,
);
