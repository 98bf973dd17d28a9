/**
 * Renders bench/results/latest.json into BENCHMARKS.md (tables) and one SVG per network run
 * (latency distribution and fps over time), stamped with the machine. No dependencies: the charts
 * are hand-written SVG.
 */

import { writeFileSync } from 'node:fs';
import { type HopTimings, hopNames } from '@peerframe/core/frameTiming';
import { type AudioBenchResult, renderAudioBench } from './audioBench.ts';
import { type AudioStreamsBenchResult, renderAudioStreamsBench } from './audioStreamsBench.ts';
import { type AvOffsetBenchResult, renderAvOffsetBench } from './avOffsetBench.ts';
import type { CapacityBenchResult } from './capacityBench.ts';
import type { PaymentsBenchResult } from './paymentsBench.ts';
import type { PipelinesBenchResult } from './pipelinesBench.ts';
import { renderCapacity, shareOfCore } from './renderCapacity.ts';
import type { SfuBenchResult } from './sfuBench.ts';
import { renderWorkersBench, type WorkersBenchResult } from './workersBench.ts';

export type LatencyHistogram = { binMs: number; counts: number[] };

export type ChartedRun = {
  size: string;
  pipeline: string;
  mode: 'network' | 'bare';
  /** Network runs: the video codec both ways, and who published (`engine`, `libwebrtc`). */
  codec?: string;
  publisher?: string;
  /** The orchestrator process alone (the cost of one stream there), % of one core. */
  orchestratorCpuPercent?: number;
  framesSent: number;
  framesReturned: number;
  fpsOut: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  pipelineMsP50: number;
  cpuPercent: number;
  /** WHIP POST to a connected peer (orchestrator session set-up included), ms. */
  connectMs?: number;
  /**
   * Once connected: the first frame pushed → the first processed frame back, ms. The report's
   * "first frame" is `connectMs` plus this (`firstFrameFromPostMs`).
   */
  firstFrameMs?: number;
  latencyHistogram?: LatencyHistogram;
  /** Processed frames back in each second of the run. */
  fpsTimeline?: number[];
};

export type LatencyFigures = {
  roundTripP50Ms: number | null;
  roundTripP95Ms: number | null;
  roundTripP99Ms: number | null;
  fpsOut: number;
  pipelineMsP50: number;
  /** WHIP POST → first processed frame back (orchestrator selection and session set-up included), ms. */
  firstFrameMs: number | null;
  /** Per-hop medians, ms (see `HopTimings`), null when the run timed no frame. */
  hopsP50Ms: Omit<HopTimings, 'frames'> | null;
  /** Frames the gateway timed hop by hop. */
  framesTimed: number;
  /** Frames sent that came back, %. */
  framesReturnedPercent: number;
  /** The orchestrator process's CPU over the run, % of one core. */
  orchestratorCpuPercent: number | null;
};

export type BenchReport = {
  date: string;
  machine: { cpu: string; cores: number; node: string };
  quick: boolean;
  durationMs: number;
  runs: (ChartedRun & { rssMb?: { gateway: number; orchestrator: number } })[];
  /** By `pipeline@size/codec` (` (libwebrtc)` for the libwebrtc publisher's runs). */
  latency: Record<string, LatencyFigures>;
  failover: { freezeMs: number; framesSent: number; framesReturned: number };
  payments: PaymentsBenchResult;
  pipelines: PipelinesBenchResult;
  /** Audio pipelines (absent from reports made before they existed). */
  audio?: AudioBenchResult;
  /** CPU per audio-only stream at the orchestrator (absent from reports made before it existed). */
  audioStreams?: AudioStreamsBenchResult;
  /** The A/V offset (absent from reports made before it was measured). */
  avOffset?: AvOffsetBenchResult;
  sfu: SfuBenchResult;
  /** Remote workers: extra round trip of the direct and relayed paths, hand-over freeze. */
  workers?: WorkersBenchResult;
  /** Gateway capacity to the knee (absent from reports made before it existed). */
  capacity?: CapacityBenchResult;
};

/**
 * The report's "first frame": WHIP POST → first processed frame back, ms (the connect, then the
 * first frame pushed → back); null for a run that has none.
 */
export function firstFrameFromPostMs(run: ChartedRun): number | null {
  return run.firstFrameMs === undefined
    ? null
    : Math.round((run.connectMs ?? 0) + run.firstFrameMs);
}

/** Latency samples (ms) into 10 ms bins up to the largest sample. */
export function latencyHistogram(latenciesMs: number[], binMs = 10): LatencyHistogram {
  const counts: number[] = [];
  for (const ms of latenciesMs) {
    const bin = Math.max(0, Math.floor(ms / binMs));
    while (counts.length <= bin) counts.push(0);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { binMs, counts };
}

/** Arrival times (ms since start) into frames per whole second. */
export function fpsTimeline(arrivalsMs: number[]): number[] {
  const seconds: number[] = [];
  for (const ms of arrivalsMs) {
    const s = Math.floor(ms / 1000);
    while (seconds.length <= s) seconds.push(0);
    seconds[s] = (seconds[s] ?? 0) + 1;
  }
  return seconds;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function chart(run: ChartedRun, machine: BenchReport['machine']): string {
  const width = 720;
  const height = 300;
  const pad = 40;
  const half = (width - 3 * pad) / 2;
  const plotHeight = height - 2 * pad - 20;
  const parts: string[] = [];
  const title = `${run.size} ${run.pipeline}${run.codec ? ` ${run.codec}` : ''}: round trip p50 ${run.latencyP50Ms} ms, p95 ${run.latencyP95Ms} ms, ${run.fpsOut} fps`;
  parts.push(
    `<text x="${pad}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  );
  // Left: latency distribution.
  const hist = run.latencyHistogram ?? { binMs: 10, counts: [] };
  const shown = hist.counts.slice(0, 60);
  const maxCount = Math.max(1, ...shown);
  const barWidth = half / Math.max(1, shown.length);
  shown.forEach((count, i) => {
    const h = (count / maxCount) * plotHeight;
    parts.push(
      `<rect x="${(pad + i * barWidth).toFixed(1)}" y="${(pad + 20 + plotHeight - h).toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a7bd0"/>`,
    );
  });
  parts.push(
    `<text x="${pad}" y="${height - 12}" font-size="11">latency, ${hist.binMs} ms bins (0–${shown.length * hist.binMs} ms)</text>`,
  );
  // Right: fps over time.
  const timeline = run.fpsTimeline ?? [];
  const x0 = 2 * pad + half;
  const maxFps = Math.max(35, ...timeline);
  const points = timeline
    .map((fps, i) => {
      const x = x0 + (i / Math.max(1, timeline.length - 1)) * half;
      const y = pad + 20 + plotHeight - (fps / maxFps) * plotHeight;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const y30 = pad + 20 + plotHeight - (30 / maxFps) * plotHeight;
  parts.push(
    `<line x1="${x0}" x2="${x0 + half}" y1="${y30.toFixed(1)}" y2="${y30.toFixed(1)}" stroke="#bbb" stroke-dasharray="4 3"/>`,
  );
  parts.push(`<polyline points="${points}" fill="none" stroke="#d0622f" stroke-width="2"/>`);
  parts.push(
    `<text x="${x0}" y="${height - 12}" font-size="11">processed fps per second (dashed: 30)</text>`,
  );
  parts.push(
    `<text x="${width - pad}" y="40" font-size="10" text-anchor="end" fill="#666">${escapeXml(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>\n`;
}

/**
 * The gateway-capacity section: what was measured at each N, then the streams-per-core figure,
 * labelled as the extrapolation it is (N streams ÷ the gateway's share of one core, assuming its
 * CPU grows linearly with streams).
 */
function gatewayCapacity(sfu: SfuBenchResult): string[] {
  const largest = sfu.runs.reduce<SfuBenchResult['runs'][number] | undefined>(
    (most, r) => (most && most.streams >= r.streams ? most : r),
    undefined,
  );
  return [
    `SFU ${sfu.sfu}, ${sfu.widthPx}×${sfu.heightPx} at ${sfu.fps} fps passthrough streams, N at once; the gateway process's own CPU (the publishers and orchestrators run on the same machine and are not counted).`,
    '',
    '| streams | gateway CPU % of a core | loss % | packets forwarded / s | gateway CPU µs per packet | RSS MB |',
    '|---|---|---|---|---|---|',
    ...sfu.runs.map(
      (r) =>
        `| ${r.streams} | ${r.gatewayCpuPercent} | ${r.lossPercent} | ${r.packetsForwardedPerSecond} | ${r.gatewayCpuUsPerPacket} | ${r.rssMb} |`,
    ),
    '',
    `Extrapolated, not measured: **${sfu.streamsPerCore} streams per core** = ${sfu.streams} streams ÷ ${shareOfCore(sfu.gatewayCpuPercent)} of a core (${sfu.withinLossBound ? 'the largest N within 1 % loss' : 'no N stayed within 1 % loss; the smallest'}), assuming the gateway's CPU grows linearly with streams. The largest run had ${largest?.streams} streams (${largest?.lossPercent} % loss).`,
  ];
}

/** Writes BENCHMARKS.md at `markdownPath` and the charts next to the JSON in `resultsDir`. */
export function renderReport(report: BenchReport, markdownPath: URL, resultsDir: URL): void {
  const lines = [
    '# PeerFrame benchmarks',
    '',
    `Measured ${report.date} on ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}, by \`npm run bench\` (figures in \`bench/results/latest.json\`). The publisher, the gateway and the orchestrator all run on this machine, each in its own process; ${report.durationMs / 1000} s per network run at 30 fps. Latency is the round trip from a frame pushed into the publisher's encoder to the same frame decoded back, read from the frame numbers in the pixels.`,
    '',
    '## Through gateway and orchestrator',
    '',
    '| size | pipeline | codec (publisher) | frames back | fps out | p50 ms | p95 ms | p99 ms | pipeline ms | connect ms | first frame ms | CPU % all (1 core = 100) | CPU % orchestrator | RSS MB gateway / orchestrator |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const run of report.runs.filter((r) => r.mode === 'network')) {
    const firstFrameMs = firstFrameFromPostMs(run);
    lines.push(
      `| ${run.size} | ${run.pipeline} | ${run.codec ?? ''} (${run.publisher ?? ''}) | ${run.framesReturned}/${run.framesSent} | ${run.fpsOut} | ${run.latencyP50Ms} | ${run.latencyP95Ms} | ${run.latencyP99Ms} | ${run.pipelineMsP50} | ${run.connectMs ?? ''} | ${firstFrameMs ?? ''} | ${run.cpuPercent} | ${run.orchestratorCpuPercent ?? ''} | ${run.rssMb ? `${run.rssMb.gateway} / ${run.rssMb.orchestrator}` : ''} |`,
    );
  }
  lines.push(
    '',
    "The orchestrator was warm (pipelines loaded at start). Connect = WHIP POST → publisher connected (orchestrator selection and session set-up included), for both publishers; what the libwebrtc publisher does before its POST (its offer and ICE gathering, about 100 ms here) is `offerMs` in latest.json, in neither column. First frame = WHIP POST → first processed frame back: connect, then the first frame pushed → back. CPU all is the publisher, gateway and orchestrator together; CPU orchestrator is the orchestrator process alone (one stream). The engine publisher is PeerFrame's own media engine (werift + FFmpeg on a media thread), the same for VP8 and H.264; libwebrtc is the Node SDK's publisher (@roamhq/wrtc, VP8 only).",
    '',
    '## Where the time goes (per-hop medians, ms)',
    '',
    "Timed by the gateway from RTP timestamps and RTCP sender reports, the orchestrator's per-frame records and libwebrtc's video-timing extension; the last hop by the publisher from its getStats. Medians do not add up to the round trip exactly.",
    '',
    `| run | ${hopNames.join(' | ')} | round trip p50 | frames timed |`,
    `|---|${hopNames.map(() => '---|').join('')}---|---|`,
    ...Object.entries(report.latency).map(
      ([run, figures]) =>
        `| ${run} | ${hopNames.map((name) => figures.hopsP50Ms?.[name] ?? '').join(' | ')} | ${figures.roundTripP50Ms} | ${figures.framesTimed} |`,
    ),
  );
  lines.push(
    '',
    '## Pipelines alone (no network)',
    '',
    '| size | pipeline | ms per frame (p50) | frames per second |',
    '|---|---|---|---|',
  );
  for (const run of report.runs.filter((r) => r.mode === 'bare' && r.pipeline !== 'passthrough')) {
    lines.push(`| ${run.size} | ${run.pipeline} | ${run.pipelineMsP50} | ${run.fpsOut} |`);
  }
  lines.push(
    '',
    '## Failover',
    '',
    `Two orchestrators, a 512² passthrough stream, the serving orchestrator killed (SIGKILL): the output froze for **${report.failover.freezeMs} ms** (${report.failover.framesReturned}/${report.failover.framesSent} frames back over the run).`,
    '',
    '## Payments',
    '',
    '| tickets signed / s (one core) | tickets verified / s (one core) | gas per redeemWinningTicket | gas per ticket in a batch of 10 | redemptions per stream-hour (default price and face value) |',
    '|---|---|---|---|---|',
    `| ${report.payments.ticketsSignedPerSecond} | ${report.payments.ticketsVerifiedPerSecond} | ${report.payments.gasPerRedeemWinningTicket} | ${report.payments.gasPerBatchRedeemTicket ?? ''} | ${report.payments.redemptionsPerStreamHour} |`,
    '',
    `Default price ${report.payments.defaultPriceWeiPerSecond} wei/s, ticket EV ${report.payments.defaultTicketEvWei} wei, face value ${report.payments.defaultFaceValueWei} wei.`,
    '',
    '## Pipelines and workflows (ONNX Runtime, by execution provider)',
    '',
    `Measured on: ${(report.pipelines.executionProviders?.measured ?? ['cpu']).join(', ')}. Not measured: ${
      Object.entries(report.pipelines.executionProviders?.unavailable ?? {})
        .map(([provider, reason]) => `${provider} (${reason})`)
        .join('; ') || 'none'
    }.`,
    '',
    '| pipeline | size | provider (sessions ran on) | ms p50 | ms p95 | fps | model alone ms | as a workflow ms | workflow overhead ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.pipelines.pipelines.map(
      (r) =>
        `| ${r.pipeline} | ${r.size} | ${r.executionProvider ?? 'cpu'} (${r.sessionsRanOn?.join('+') || 'none'}) | ${r.pipelineMsP50} | ${r.pipelineMsP95} | ${r.fps} | ${r.bareModelMsP50 ?? ''} | ${r.workflowMsP50 ?? ''} | ${r.workflowOverheadMsP50 ?? ''} |`,
    ),
    '',
    '| workflow | size | provider | ONNX sessions | plan ms p50 | in sessions ms | in JS nodes ms | overhead ms |',
    '|---|---|---|---|---|---|---|---|',
    ...report.pipelines.workflows.map(
      (r) =>
        `| ${r.workflow} | ${r.size} | ${r.executionProvider ?? 'cpu'} | ${r.sessions} | ${r.planMsP50} | ${r.onnxMsP50} | ${r.jsNodeMsP50} | ${r.overheadMsP50} |`,
    ),
    '',
    ...renderAudioBench(report.audio),
    ...renderAudioStreamsBench(report.audioStreams),
    ...renderAvOffsetBench(report.avOffset),
    ...renderWorkersBench(report.workers),
    '## Gateway capacity',
    '',
    ...gatewayCapacity(report.sfu),
    '',
    ...renderCapacity(report.capacity),
    '## Charts',
    '',
  );
  for (const run of report.runs.filter((r) => r.mode === 'network')) {
    const label = [run.size, run.pipeline, run.codec, run.publisher].filter(Boolean).join('-');
    const name = `chart-${label}.svg`;
    writeFileSync(new URL(name, resultsDir), chart(run, report.machine));
    lines.push(`![${label}](bench/results/${name})`, '');
  }
  writeFileSync(markdownPath, `${lines.join('\n')}\n`);
}
