/**
 * Gateway capacity with nothing but the gateway in the way (`npm run bench:capacity`, and part of
 * `npm run bench`): replay publishers (a pre-encoded clip's RTP, no encoder per stream) push
 * streams over WHIP through a real gateway process to an echo orchestrator (its own process: the
 * orchestrator API, real werift peers, RTP returned untouched, nothing decoded), and read them
 * back. Streams are added in steps until loss passes 0.1 % or the gateway adds more than 5 ms to
 * the frames' round trip (its p50 less the p50, in the same window, of one more publisher looped through
 * the echo with no gateway), twice in a row. Each step reports the gateway process's own CPU (utime + stime from
 * /proc/<pid>/stat over the window) and its CPU per forwarded packet (both directions, the
 * gateway's own counters), and the CPU of the load generator and the echo: when they, not the
 * gateway, fill the machine, the knee is theirs, and `limitedBy` says so.
 *
 * Where the gateway never fills its core before the machine does (2 cores shared by all three),
 * streams ÷ its CPU share is an extrapolation. The quota run measures instead: one more werift VP8
 * ramp with the gateway process in a cgroup CPU quota (`gatewayCores`, 0.5 of a core by default,
 * 10 ms enforcement period), so that the knee is where the gateway itself runs out of CPU, well
 * before the load generator and echo fill the machine; streams per core there is knee streams ÷
 * the quota, both measured. Where cgroups are not writable the run is skipped and `skipped` says
 * why. Figures only: nothing is asserted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { CpuQuota, type CpuQuotaStats } from './capacity/CpuQuota.ts';
import { type EncodedClip, encodeClip } from './capacity/encodeClip.ts';
import { GatewayProcess } from './capacity/GatewayProcess.ts';
import { processCpuSeconds, processTreeCpuSeconds } from './capacity/processCpu.ts';
import { ReplayPublisher, type ReplayTarget } from './capacity/ReplayPublisher.ts';
import { type ForwardFloor, measureForwardFloorAlone } from './forwardFloor.ts';
import { forwardedPackets } from './sfuBench.ts';

/** The gateway's SFU: werift in its process, or mediasoup's worker (a child process). */
export type CapacityBackend = 'werift' | 'mediasoup';

export type CapacityStep = {
  streams: number;
  /** Gateway CPU over the window (its process and its children: mediasoup's worker), percent of one core. */
  gatewayCpuPercent: number;
  /** RTP packets the gateway forwarded per second, both directions. */
  packetsForwardedPerSecond: number;
  gatewayCpuUsPerPacket: number;
  /**
   * The same less the gateway's idle CPU (no stream, same window), µs per packet: the forwarding
   * cost without the fixed cost of a running node.
   */
  gatewayCpuUsPerPacketAboveIdle: number;
  /** 1 − received / sent over the window, all streams, percent. */
  lossPercent: number;
  roundTripP50Ms: number;
  roundTripP95Ms: number;
  /**
   * Round-trip p50 / p95 less those of a publisher looped through the echo with no gateway in the
   * same window (same machine load), ms.
   */
  addedLatencyP50Ms: number;
  addedLatencyP95Ms: number;
  /** CPU of the bench process (the replay publishers) and of the echo, percent of one core. */
  loadGeneratorCpuPercent: number;
  echoCpuPercent: number;
  windowS: number;
  /**
   * Under a CPU quota: the share of the window's enforcement periods in which the gateway ran out
   * of quota and was held, percent (near 100: it wanted more CPU than the quota in nearly every one).
   */
  gatewayThrottledPercent?: number;
};

export type CapacityCodecResult = {
  backend: CapacityBackend;
  codec: VideoCodecName;
  widthPx: number;
  heightPx: number;
  fps: number;
  /** Packets per stream per second, one way (the clip's). */
  packetsPerStreamPerSecond: number;
  /** The clip's RTP payload bitrate, kbit/s (absent from results made before it was recorded). */
  kbpsPerStream?: number;
  /** The same publisher looped through the echo alone, one stream, before the gateway starts. */
  directRoundTripP50Ms: number;
  directRoundTripP95Ms: number;
  /** The gateway's CPU with no stream, percent of one core. */
  gatewayIdleCpuPercent: number;
  steps: CapacityStep[];
  /** The largest step within both bounds (null: even the first was out). */
  knee: CapacityStep | null;
  /** Why the ramp stopped: the loss or latency bound, or the largest step it was given. */
  stoppedBy: 'loss' | 'latency' | 'max_streams' | 'time';
  /**
   * Streams per gateway core at the knee: streams ÷ the gateway's share of one core. Measured
   * when the gateway was near a full core there (`gatewaySaturated`), else an extrapolation.
   */
  streamsPerGatewayCore: number | null;
  gatewaySaturated: boolean;
  /**
   * What filled first at the step past the knee: the gateway, or the load generator / echo
   * sharing the machine (≥ 90 % of a core, or the machine's cores all busy).
   */
  limitedBy: 'gateway' | 'load_generator' | 'echo' | 'machine' | 'unknown';
  /**
   * The gateway process ran in a cgroup CPU quota of `cores` (its threads and children together,
   * enforced every `periodUs`): its CPU % is then of one core still, the quota its ceiling,
   * `gatewaySaturated` means ≥ 90 % of the quota, and `streamsPerGatewayCore` = knee streams ÷ `cores`;
   * pinned to CPU `pinnedCpu` (else `notPinned` says why).
   */
  gatewayCpuQuota?: { cores: number; periodUs: number; pinnedCpu?: number; notPinned?: string };
};

export type CapacityBenchResult = {
  date: string;
  cpus: number;
  /** Load average when the run began (1 min): other work on the machine skews every figure. */
  loadAverage1m: number;
  maxLossPercent: number;
  maxAddedLatencyMs: number;
  codecs: CapacityCodecResult[];
  /**
   * Runs asked for that could not run here, and why: mediasoup without a worker, or the quota run
   * (`gatewayCores` set) without a writable cgroup CPU controller.
   */
  skipped?: { backend: CapacityBackend; gatewayCores?: number; reason: string }[];
  /**
   * Node's own floor (`bench/forwardFloor.ts`): a bare dgram relay, AES-GCM decrypt and encrypt
   * per packet and nothing else, forwarding what `streams` streams of the VP8 clip send each way.
   */
  floor?: ForwardFloor & { streams: number; packetsPerStreamPerSecond: number };
};

const maxLossPercent = 0.1;
/** The floor run forwards what this many streams send: the goal per gateway core. */
const floorStreams = 100;
/** The full run's CPU quota for the gateway in its quota run, cores. */
export const defaultGatewayCores = 0.5;
/** Throttled in this share of its quota's periods or more, %, the gateway counts as full. */
export const quotaThrottledPercent = 20;
const maxAddedLatencyMs = 5;
/** How long after a window its packets may still come back, ms. */
const returnGraceMs = 500;
const main = fileURLToPath(new URL('./capacity/echoMain.ts', import.meta.url));

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function startEcho(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--conditions=source', main], {
    env: { ...process.env, PEERFRAME_LOG_LEVEL: process.env.PEERFRAME_LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type === 'ready' && m.url) resolve(m.url);
    });
    child.once('exit', (code) => reject(new Error(`the echo exited before ready (${code})`)));
  });
  child.disconnect();
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs `publishers` for `windowMs` after they settle; counts and times what came back. */
async function window(
  publishers: ReplayPublisher[],
  windowMs: number,
  pids: { gateway?: number; echo: number },
  gatewayUrl: string | undefined,
  reference?: ReplayPublisher,
  quota?: CpuQuota,
) {
  const noStats: CpuQuotaStats = { periods: 0, throttledPeriods: 0, throttledUs: 0 };
  const sample = async () => ({
    quota: quota?.stats() ?? noStats,
    atMs: performance.now(),
    sent: publishers.map((p) => p.packetsSent),
    gatewayCpu: pids.gateway ? processTreeCpuSeconds(pids.gateway) : 0,
    echoCpu: processCpuSeconds(pids.echo),
    selfCpu: processCpuSeconds(process.pid),
    forwarded: gatewayUrl ? await forwardedPackets(gatewayUrl) : 0,
  });
  for (const p of publishers) p.takeRoundTrips();
  reference?.takeRoundTrips();
  const first = await sample();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const last = await sample();
  const trips = publishers.flatMap((p) => p.takeRoundTrips()).sort((a, b) => a - b);
  const referenceTrips = reference?.takeRoundTrips().sort((a, b) => a - b) ?? [];
  const windowS = (last.atMs - first.atMs) / 1000;
  // The packets sent in the window, and which of them came back within a grace after it (a
  // packet later than that is as good as lost to a realtime receiver).
  await new Promise((resolve) => setTimeout(resolve, returnGraceMs));
  let sent = 0;
  let returned = 0;
  publishers.forEach((p, i) => {
    const from = first.sent[i] ?? 0;
    const to = last.sent[i] ?? 0;
    sent += to - from;
    returned += p.returnedBetween(from, to);
  });
  return {
    windowS,
    lossPercent: sent > 0 ? (1 - returned / sent) * 100 : 100,
    p50: quantile(trips, 0.5),
    p95: quantile(trips, 0.95),
    referenceP50: quantile(referenceTrips, 0.5),
    referenceP95: quantile(referenceTrips, 0.95),
    gatewayCpuFraction: (last.gatewayCpu - first.gatewayCpu) / windowS,
    echoCpuFraction: (last.echoCpu - first.echoCpu) / windowS,
    selfCpuFraction: (last.selfCpu - first.selfCpu) / windowS,
    forwarded: last.forwarded - first.forwarded,
    throttledFraction: quota
      ? (last.quota.throttledPeriods - first.quota.throttledPeriods) /
        Math.max(1, last.quota.periods - first.quota.periods)
      : undefined,
  };
}

/**
 * Connects one publisher, again while the gateway answers a retryable 429 (its per-client limits
 * on pending peers and on requests: every publisher here comes from the same address).
 */
async function connectOne(target: ReplayTarget, clip: EncodedClip): Promise<ReplayPublisher> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    try {
      return await ReplayPublisher.connect(target, clip);
    } catch (error) {
      const retryable = (error as { status?: number }).status === 429;
      if (!retryable || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function connectAll(target: ReplayTarget, clip: EncodedClip, count: number) {
  const publishers: ReplayPublisher[] = [];
  // Two at a time: the gateway's default for pending peers per client.
  for (let i = 0; i < count; i += 2) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(2, count - i) }, () => connectOne(target, clip)),
    );
    for (const p of batch) p.start();
    publishers.push(...batch);
  }
  return publishers;
}

async function measureCodec(
  backend: CapacityBackend,
  codec: VideoCodecName,
  echo: { child: ChildProcess; url: string },
  options: {
    stepStreams: number[];
    windowMs: number;
    settleMs: number;
    deadlineMs: number;
    /** Runs the gateway in this CPU quota (it is added once it is ready, and stays in it). */
    quota?: CpuQuota;
    /** The clip of `codec` (one per codec per bench run: every run of it replays the same packets). */
    clip: (codec: VideoCodecName) => Promise<EncodedClip>;
  },
): Promise<CapacityCodecResult> {
  const { quota } = options;
  const clip = await options.clip(codec);
  const echoPid = echo.child.pid as number;
  const direct = await connectAll({ echoUrl: echo.url }, clip, 1);
  await new Promise((resolve) => setTimeout(resolve, options.settleMs));
  const baseline = await window(direct, options.windowMs, { echo: echoPid }, undefined);
  // It keeps looping through the echo while the gateway's streams run: each window's added
  // latency is against the direct loop in that same window, under the same machine load.
  const reference = direct[0];

  const gateway = await GatewayProcess.start({
    orchestratorUrl: echo.url,
    sfu: backend,
    nodeArgs: process.env.CAPACITY_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [],
  });
  quota?.add(gateway.pid);
  const idle = await window(
    [],
    options.windowMs,
    { gateway: gateway.pid, echo: echoPid },
    undefined,
    undefined,
    quota,
  );
  const publishers: ReplayPublisher[] = [];
  const steps: CapacityStep[] = [];
  let stoppedBy: CapacityCodecResult['stoppedBy'] = 'max_streams';
  let limitedBy: CapacityCodecResult['limitedBy'] = 'unknown';
  const cores = availableParallelism();
  try {
    for (const streams of options.stepStreams) {
      if (performance.now() > options.deadlineMs) {
        stoppedBy = 'time';
        break;
      }
      const added = await connectAll(
        { whipUrl: `${gateway.url}/whip` },
        clip,
        streams - publishers.length,
      );
      publishers.push(...added);
      await new Promise((resolve) => setTimeout(resolve, options.settleMs));
      const measureStep = () =>
        window(
          publishers,
          options.windowMs,
          { gateway: gateway.pid, echo: echoPid },
          gateway.url,
          reference,
          quota,
        );
      let w = await measureStep();
      const outOfBounds = (m: typeof w) =>
        m.lossPercent > maxLossPercent || m.p50 - m.referenceP50 > maxAddedLatencyMs;
      // A window out of bounds is measured again before the ramp stops: one burst of other work
      // on a shared machine is not the gateway's knee.
      if (outOfBounds(w)) w = await measureStep();
      const step: CapacityStep = {
        streams,
        gatewayCpuPercent: round(w.gatewayCpuFraction * 100),
        packetsForwardedPerSecond: round(w.forwarded / w.windowS),
        gatewayCpuUsPerPacket:
          w.forwarded > 0
            ? round((w.gatewayCpuFraction * w.windowS * 1e6) / w.forwarded)
            : Number.NaN,
        gatewayCpuUsPerPacketAboveIdle:
          w.forwarded > 0
            ? round(
                ((w.gatewayCpuFraction - idle.gatewayCpuFraction) * w.windowS * 1e6) / w.forwarded,
              )
            : Number.NaN,
        lossPercent: round(w.lossPercent, 3),
        roundTripP50Ms: round(w.p50, 2),
        roundTripP95Ms: round(w.p95, 2),
        addedLatencyP50Ms: round(w.p50 - w.referenceP50, 2),
        addedLatencyP95Ms: round(w.p95 - w.referenceP95, 2),
        loadGeneratorCpuPercent: round(w.selfCpuFraction * 100),
        echoCpuPercent: round(w.echoCpuFraction * 100),
        windowS: round(w.windowS, 2),
        ...(w.throttledFraction === undefined
          ? {}
          : { gatewayThrottledPercent: round(w.throttledFraction * 100) }),
      };
      steps.push(step);
      const overLoss = step.lossPercent > maxLossPercent;
      const overLatency = step.addedLatencyP50Ms > maxAddedLatencyMs;
      if (overLoss || overLatency) {
        stoppedBy = overLoss ? 'loss' : 'latency';
        // Under a quota the gateway is full at its quota, not at a core; or when it was held
        // for want of quota in `quotaThrottledPercent` of its periods or more: its bursts (a
        // keyframe, each second's payments) outran the quota, and the ramp stopped on them.
        const gatewayFullness = quota
          ? (step.gatewayThrottledPercent ?? 0) >= quotaThrottledPercent
            ? 100
            : step.gatewayCpuPercent / quota.cores
          : step.gatewayCpuPercent;
        const busiest = Math.max(
          gatewayFullness,
          step.loadGeneratorCpuPercent,
          step.echoCpuPercent,
        );
        const total = step.gatewayCpuPercent + step.loadGeneratorCpuPercent + step.echoCpuPercent;
        limitedBy =
          busiest < 90
            ? total >= 90 * cores
              ? 'machine'
              : 'unknown'
            : busiest === gatewayFullness
              ? 'gateway'
              : busiest === step.loadGeneratorCpuPercent
                ? 'load_generator'
                : 'echo';
        break;
      }
    }
  } finally {
    await Promise.all([...publishers, ...direct].map((p) => p.close()));
    await gateway.stop();
  }
  const over = stoppedBy === 'loss' || stoppedBy === 'latency';
  const knee = (over ? steps.at(-2) : steps.at(-1)) ?? null;
  return {
    backend,
    codec,
    widthPx: clip.widthPx,
    heightPx: clip.heightPx,
    fps: clip.fps,
    packetsPerStreamPerSecond: round(clip.packetsPerSecond),
    kbpsPerStream: Math.round(clip.kbps),
    directRoundTripP50Ms: round(baseline.p50, 2),
    directRoundTripP95Ms: round(baseline.p95, 2),
    gatewayIdleCpuPercent: round(idle.gatewayCpuFraction * 100),
    steps,
    knee,
    stoppedBy,
    streamsPerGatewayCore: !knee
      ? null
      : quota
        ? round(knee.streams / quota.cores, 1)
        : knee.gatewayCpuPercent > 0
          ? round(knee.streams / (knee.gatewayCpuPercent / 100), 1)
          : null,
    gatewaySaturated: (knee?.gatewayCpuPercent ?? 0) >= 90 * (quota?.cores ?? 1),
    limitedBy,
    ...(quota
      ? {
          gatewayCpuQuota: {
            cores: quota.cores,
            periodUs: quota.periodUs,
            ...(quota.pinnedCpu === undefined ? {} : { pinnedCpu: quota.pinnedCpu }),
            ...(quota.notPinned === undefined ? {} : { notPinned: quota.notPinned }),
          },
        }
      : {}),
  };
}

/**
 * Without `MEDIASOUP_WORKER_BIN`, the worker `tools/mediasoup-worker` built and cached here, if
 * any (what `.ci/run` uses): the bench then measures mediasoup wherever the tests do.
 */
function useCachedMediasoupWorker(): void {
  if (process.env.MEDIASOUP_WORKER_BIN) return;
  const script = fileURLToPath(
    new URL('../tools/mediasoup-worker/build-mediasoup-worker.sh', import.meta.url),
  );
  try {
    const path = execFileSync('bash', [script, '--cached-only'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (path) process.env.MEDIASOUP_WORKER_BIN = path;
  } catch {
    // None cached: the installed mediasoup package's worker, if it has one.
  }
}

/**
 * Whether the mediasoup backend can run here (its package loads and its worker starts): the
 * reason it cannot, or undefined.
 */
async function mediasoupUnavailable(): Promise<string | undefined> {
  useCachedMediasoupWorker();
  const { MediasoupSfu } = await import('@peerframe/gateway');
  try {
    const sfu = await MediasoupSfu.create();
    await sfu.close();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Each backend (werift, then mediasoup where its worker starts), each codec it carries (VP8 then
 * H.264 on werift; VP8 on mediasoup, whose legs carry VP8 only), each on a fresh gateway (the
 * echo is shared): quick runs 2 s windows and at most 16 streams; the full run 4 s windows up to
 * 128 streams, bounded to about 3 minutes per backend. Then, with `gatewayCores` (the full run's
 * default: 0.5; none in quick runs), werift VP8 once more with the gateway under that CPU quota,
 * in steps of 4 streams per half core (at least 2), bounded to about 2 minutes;
 * `quotaOnly` runs that alone.
 */
export async function runCapacityBench(options: {
  quick: boolean;
  codecs?: VideoCodecName[];
  backends?: CapacityBackend[];
  maxStreams?: number;
  /** The quota run's CPU quota for the gateway, cores (0 or undefined in quick runs: none). */
  gatewayCores?: number;
  /** The quota's enforcement period, µs (default 10 000: `defaultCpuQuotaOptions`). */
  quotaPeriodUs?: number;
  quotaOnly?: boolean;
}): Promise<CapacityBenchResult> {
  process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
  const { loadavg } = await import('node:os');
  const loadAverage1m = round(loadavg()[0] ?? 0, 2);
  const codecs = options.codecs ?? ['VP8', 'H264'];
  const skipped: CapacityBenchResult['skipped'] = [];
  const backends: CapacityBackend[] = [];
  for (const backend of options.quotaOnly ? [] : (options.backends ?? ['werift', 'mediasoup'])) {
    const reason = backend === 'mediasoup' ? await mediasoupUnavailable() : undefined;
    if (reason) skipped.push({ backend, reason });
    else backends.push(backend);
  }
  const runs = options.quotaOnly
    ? []
    : backends.flatMap((backend) =>
        codecs
          .filter((codec) => backend === 'werift' || codec === 'VP8')
          .map((codec) => ({ backend, codec })),
      );
  const gatewayCores = options.gatewayCores ?? (options.quick ? 0 : defaultGatewayCores);
  let quota: CpuQuota | undefined;
  if (gatewayCores > 0) {
    const made = CpuQuota.create({
      cores: gatewayCores,
      ...(options.quotaPeriodUs ? { periodUs: options.quotaPeriodUs } : {}),
    });
    if (typeof made === 'string') skipped.push({ backend: 'werift', gatewayCores, reason: made });
    else quota = made;
  }
  const maxStreams = options.maxStreams ?? (options.quick ? 16 : 128);
  const stepStreams = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128].filter((n) => n <= maxStreams);
  const budgetMs =
    ((options.quick ? 60_000 : 180_000) * backends.length) / Math.max(1, runs.length);
  const windowMs = options.quick ? 2_000 : 4_000;
  // More than the clip's keyframe interval (1 s): mediasoup's consumers forward a new stream from
  // its first keyframe on, and a replayed clip cannot answer their request for one, so a shorter
  // settle counts the wait for the clip's next keyframe as loss.
  const settleMs = 1_500;
  const clips = new Map<VideoCodecName, Promise<EncodedClip>>();
  const clip = (codec: VideoCodecName) => {
    let made = clips.get(codec);
    if (!made) {
      made = encodeClip({ codec });
      clips.set(codec, made);
    }
    return made;
  };
  const echo = await startEcho();
  const results: CapacityCodecResult[] = [];
  try {
    for (const { backend, codec } of runs) {
      results.push(
        await measureCodec(backend, codec, echo, {
          stepStreams,
          windowMs,
          settleMs,
          deadlineMs: performance.now() + budgetMs,
          clip,
        }),
      );
    }
    if (quota) {
      // Steps of 4 streams per half core: about 15 steps to a knee near 100 streams per core.
      const stride = Math.max(2, Math.round(8 * gatewayCores));
      const quotaSteps = Array.from(
        { length: Math.floor(maxStreams / stride) },
        (_, i) => (i + 1) * stride,
      );
      results.push(
        await measureCodec('werift', 'VP8', echo, {
          stepStreams: quotaSteps,
          windowMs,
          settleMs,
          deadlineMs: performance.now() + (options.quick ? 60_000 : 120_000),
          quota,
          clip,
        }),
      );
    }
  } finally {
    await stopChild(echo.child);
    quota?.close();
  }
  // What 100 streams per core asks of Node alone, on the same machine, after the ramps.
  const packetsPerStreamPerSecond = round((await clip('VP8')).packetsPerSecond);
  const floor = {
    streams: floorStreams,
    packetsPerStreamPerSecond,
    ...(await measureForwardFloorAlone({
      packetsPerSecond: floorStreams * 2 * packetsPerStreamPerSecond,
      seconds: options.quick ? 3 : 10,
    })),
  };
  return {
    date: new Date().toISOString(),
    cpus: availableParallelism(),
    loadAverage1m,
    maxLossPercent,
    maxAddedLatencyMs,
    codecs: results,
    skipped,
    floor,
  };
}
