/**
 * The SFU capacity figures of `npm run bench`: N concurrent 512² 30 fps
 * passthrough streams through a real gateway process and orchestrator process(es), each stream
 * pushed by a Node WHIP publisher that reads its frames back. Only the GATEWAY process's CPU time
 * is counted (utime + stime from /proc/<pid>/stat over the measuring window): publishers and
 * orchestrators share the same few cores and are not the SFU's cost. `streamsPerCore` is an
 * extrapolation, not a measurement: N divided by the gateway's CPU as a fraction of one core, at
 * the largest N whose frame loss stays within 1 %, assuming the CPU grows linearly with streams.
 * Figures only: nothing is printed, nothing asserted.
 *
 * The dev stack's gateway runs its default SFU (werift); `sfu` in the result says which.
 */
import { readFileSync } from 'node:fs';
import { startDevStack } from '@peerframe/cli';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { processCpuSeconds } from './capacity/processCpu.ts';

export type SfuBenchRun = {
  /** Concurrent streams. */
  streams: number;
  orchestrators: number;
  /** Gateway CPU (user + system) over the window, percent of one core. */
  gatewayCpuPercent: number;
  /** Extrapolated: streams / (gatewayCpuPercent / 100), as if CPU grew linearly with streams. */
  streamsPerCore: number;
  /** Gateway resident memory at the end of the window, MiB. */
  rssMb: number;
  framesSent: number;
  framesReturned: number;
  /** 1 − returned / sent, percent, over all streams. */
  lossPercent: number;
  /** Mean of the streams' output frame rates. */
  fpsOutMean: number;
  /** Median over streams of each stream's round-trip p50, ms. */
  latencyP50Ms: number | null;
  /** RTP packets the gateway forwarded (both directions, all streams) per second. */
  packetsForwardedPerSecond: number;
  /**
   * Gateway CPU per forwarded packet, µs: the SFU's cost independent of how many frames the
   * (shared, maybe overloaded) publishers and orchestrators managed to produce.
   */
  gatewayCpuUsPerPacket: number;
  windowS: number;
};

export type SfuBenchResult = {
  /** The SFU backend the measured gateway ran. */
  sfu: string;
  widthPx: number;
  heightPx: number;
  fps: number;
  /** The headline run: the largest N with loss ≤ 1 % (else the smallest N). */
  streams: number;
  gatewayCpuPercent: number;
  /** The headline run's, extrapolated (see `SfuBenchRun.streamsPerCore`). */
  streamsPerCore: number;
  rssMb: number;
  lossPercent: number;
  /** Whether the headline run's loss is within the 1 % bound. */
  withinLossBound: boolean;
  runs: SfuBenchRun[];
};

const widthPx = 512;
const heightPx = 512;
const fps = 30;
const maxLossPercent = 1;
/** The orchestrator's default `maxSessions`. */
const sessionsPerOrchestrator = 4;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

type StreamCounters = {
  packetsFromPublisher: number;
  packetsToOrchestrator: number;
  packetsFromOrchestrator: number;
  packetsToPublisher: number;
};

/** RTP packets the gateway forwarded so far, both directions, all streams (its own counters). */
export async function forwardedPackets(gatewayUrl: string): Promise<number> {
  const response = await fetch(`${gatewayUrl}/streams`);
  if (!response.ok) return Number.NaN;
  const { streams } = (await response.json()) as { streams: StreamCounters[] };
  return streams.reduce((sum, s) => sum + s.packetsToOrchestrator + s.packetsToPublisher, 0);
}

async function measure(streams: number, durationMs: number): Promise<SfuBenchRun> {
  const orchestrators = Math.ceil(streams / sessionsPerOrchestrator);
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    orchestrators,
  });
  const publishers: NodeWhipPublisher[] = [];
  try {
    const gatewayPid = stack.nodes.find((n) => n.role === 'gateway')?.pid;
    if (!gatewayPid) throw new Error('the dev stack has no gateway process');
    for (let i = 0; i < streams; i++) {
      publishers.push(
        await NodeWhipPublisher.connect({
          whipUrl: `${stack.gatewayUrl}/whip`,
          pipeline: 'passthrough',
        }),
      );
    }
    // The window is the probes' measured span: after their warm-up (2 s: connection start and
    // the first keyframe take over 1 s on a loaded machine), before their drain.
    const warmupMs = 2_000;
    const sample = (atMs: number) =>
      new Promise<{ cpuS: number; packets: number; atMs: number }>((resolve, reject) => {
        setTimeout(() => {
          const cpuS = processCpuSeconds(gatewayPid);
          const at = performance.now();
          forwardedPackets(stack.gatewayUrl).then(
            (packets) => resolve({ cpuS, packets, atMs: at }),
            reject,
          );
        }, atMs);
      });
    const probes = Promise.all(
      publishers.map((publisher) =>
        runFrameProbe(publisher, { widthPx, heightPx, fps, durationMs, warmupMs }),
      ),
    );
    const [results, first, last] = await Promise.all([
      probes,
      sample(warmupMs),
      sample(warmupMs + durationMs),
    ]);
    const windowS = (last.atMs - first.atMs) / 1000;
    const cpu = last.cpuS - first.cpuS;
    const memory = rssMb(gatewayPid);
    const packets = last.packets - first.packets;
    const framesSent = results.reduce((sum, r) => sum + r.framesSent, 0);
    const framesReturned = results.reduce((sum, r) => sum + r.framesReturned, 0);
    const cpuFraction = cpu / windowS;
    const p50s = results
      .map((r) => r.latencyP50Ms)
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    return {
      streams,
      orchestrators,
      gatewayCpuPercent: round(cpuFraction * 100),
      streamsPerCore: cpuFraction > 0 ? round(streams / cpuFraction, 2) : Number.NaN,
      rssMb: round(memory),
      framesSent,
      framesReturned,
      lossPercent: framesSent > 0 ? round((1 - framesReturned / framesSent) * 100, 2) : 100,
      fpsOutMean: round(results.reduce((sum, r) => sum + r.fpsOut, 0) / results.length),
      latencyP50Ms: p50s.length ? round(p50s[Math.floor(p50s.length / 2)] ?? Number.NaN) : null,
      packetsForwardedPerSecond: round(packets / windowS),
      gatewayCpuUsPerPacket: packets > 0 ? round((cpu * 1e6) / packets) : Number.NaN,
      windowS: round(windowS, 2),
    };
  } finally {
    await Promise.all(publishers.map((p) => p.close().catch(() => {})));
    await stack.close();
  }
}

/**
 * Runs N = 1, 2, 4 concurrent streams (quick: 1 and 2, shorter) and returns the gateway's CPU per
 * stream. Each N gets a fresh stack, so memory and CPU are that N's alone.
 */
export async function runSfuBench(options: { quick: boolean }): Promise<SfuBenchResult> {
  // The nodes' info logs would bury the bench's own output; warnings still show.
  process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
  const counts = options.quick ? [1, 2] : [1, 2, 4];
  const durationMs = options.quick ? 5_000 : 20_000;
  const runs: SfuBenchRun[] = [];
  for (const streams of counts) runs.push(await measure(streams, durationMs));
  const within = runs.filter((r) => r.lossPercent <= maxLossPercent);
  const headline = within.at(-1) ?? runs[0];
  if (!headline) throw new Error('no SFU bench run');
  return {
    sfu: 'werift',
    widthPx,
    heightPx,
    fps,
    streams: headline.streams,
    gatewayCpuPercent: headline.gatewayCpuPercent,
    streamsPerCore: headline.streamsPerCore,
    rssMb: headline.rssMb,
    lossPercent: headline.lossPercent,
    withinLossBound: headline.lossPercent <= maxLossPercent,
    runs,
  };
}
