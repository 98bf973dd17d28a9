/**
 * The remote-worker figures of `npm run bench` (also alone: `npm run bench:workers`):
 * - the round trip of `invert` at 512² through the whole stack (Node WHIP publisher → gateway →
 *   orchestrator or worker → back, frame numbers read back) with a single-process orchestrator,
 *   with the session on a worker process and media direct between gateway and worker, and with
 *   media relayed through the orchestrator; the extra round trip of each worker path is its p50
 *   minus the single-process p50 (the same run length, one after the other on this machine);
 * - the hand-over freeze: a stream served by one of two worker processes, that worker SIGKILLed,
 *   the longest gap in the frames coming back.
 * Every node is its own process, as `npm start` runs them. Figures only: nothing asserted.
 */
import { startDevStack } from '@peerframe/cli';
import { longestGapMs, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import type { WorkerView } from '@peerframe/wire';

export type WorkersBenchPath = {
  path: 'single-process' | 'worker-direct' | 'worker-relay';
  latencyP50Ms: number;
  latencyP95Ms: number;
  fpsOut: number;
  framesSent: number;
  framesReturned: number;
  /** This path's p50 minus the single-process p50, ms (null for the single process itself). */
  extraRoundTripMs: number | null;
};

export type WorkersBenchResult = {
  durationMs: number;
  paths: WorkersBenchPath[];
  handover: { freezeMs: number; framesSent: number; framesReturned: number };
};

const round = (n: number) => Math.round(n * 10) / 10;

async function pathRun(
  path: WorkersBenchPath['path'],
  durationMs: number,
): Promise<Omit<WorkersBenchPath, 'extraRoundTripMs'>> {
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    warmup: true,
    ...(path === 'single-process'
      ? {}
      : {
          workers: 1,
          orchestratorArgs: ['--worker-media', path === 'worker-direct' ? 'direct' : 'relay'],
        }),
  });
  try {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gatewayUrl}/whip`,
      pipeline: 'invert',
    });
    try {
      const probe = await runFrameProbe(publisher, {
        widthPx: 512,
        heightPx: 512,
        durationMs,
        warmupMs: 2_000,
      });
      return {
        path,
        latencyP50Ms: round(probe.latencyP50Ms),
        latencyP95Ms: round(probe.latencyP95Ms),
        fpsOut: round(probe.fpsOut),
        framesSent: probe.framesSent,
        framesReturned: probe.framesReturned,
      };
    } finally {
      await publisher.close();
    }
  } finally {
    await stack.close();
  }
}

async function handoverRun(durationMs: number): Promise<WorkersBenchResult['handover']> {
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    warmup: true,
    workers: 2,
  });
  try {
    const workerViews = async (): Promise<WorkerView[]> => {
      const res = await fetch(`${stack.orchestratorUrl}/workers`, {
        headers: { authorization: `Bearer ${stack.orchestratorAdminToken}` },
      });
      return ((await res.json()) as { workers: WorkerView[] }).workers;
    };
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gatewayUrl}/whip`,
      pipeline: 'invert',
    });
    try {
      const probe = runFrameProbe(publisher, {
        widthPx: 512,
        heightPx: 512,
        durationMs: Math.max(durationMs, 8_000),
        warmupMs: 1_000,
      });
      // Kill the serving worker a third of the way in (its name is worker-0-<index>).
      await new Promise((resolve) => setTimeout(resolve, Math.max(durationMs, 8_000) / 3));
      const serving = (await workerViews()).find((w) => w.activeSessions > 0);
      const index = Number(serving?.name.split('-').at(-1));
      const pid = stack.nodes.filter((n) => n.role === 'worker')[index]?.pid;
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      const result = await probe;
      return {
        freezeMs: Math.round(longestGapMs(result).gapMs),
        framesSent: result.framesSent,
        framesReturned: result.framesReturned,
      };
    } finally {
      await publisher.close();
    }
  } finally {
    await stack.close();
  }
}

export async function runWorkersBench({ quick = false } = {}): Promise<WorkersBenchResult> {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? (quick ? 5_000 : 20_000));
  const single = await pathRun('single-process', durationMs);
  const direct = await pathRun('worker-direct', durationMs);
  const relay = await pathRun('worker-relay', durationMs);
  const handover = await handoverRun(durationMs);
  return {
    durationMs,
    paths: [
      { ...single, extraRoundTripMs: null },
      { ...direct, extraRoundTripMs: round(direct.latencyP50Ms - single.latencyP50Ms) },
      { ...relay, extraRoundTripMs: round(relay.latencyP50Ms - single.latencyP50Ms) },
    ],
    handover,
  };
}

/** The remote-worker section of BENCHMARKS.md. */
export function renderWorkersBench(result: WorkersBenchResult | undefined): string[] {
  if (result === undefined) return [];
  const { handover } = result;
  return [
    '## Remote workers',
    '',
    `\`invert\` at 512², ${result.durationMs / 1000} s per path: a Node WHIP publisher → gateway → the orchestrator itself, or a worker process (media direct between gateway and worker, or relayed through the orchestrator) → back, frame numbers read back; every node its own process. Extra round trip = the path's p50 minus the single-process p50 (one run after the other on this machine; the goal is ≤ 2 ms for the direct path).`,
    '',
    '| path | round trip p50 ms | p95 ms | extra round trip p50 ms | fps out | frames back |',
    '|---|---|---|---|---|---|',
    ...result.paths.map(
      (p) =>
        `| ${p.path} | ${p.latencyP50Ms} | ${p.latencyP95Ms} | ${p.extraRoundTripMs ?? ''} | ${p.fpsOut} | ${p.framesReturned}/${p.framesSent} |`,
    ),
    '',
    `Hand-over: a stream served by one of two worker processes, that worker SIGKILLed; the orchestrator moves the session to the other worker: the output froze for **${handover.freezeMs} ms** (the longest gap in the frames coming back; ${handover.framesReturned}/${handover.framesSent} frames back over the run; the target is ≤ 500 ms).`,
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
  const result = await runWorkersBench({ quick: process.argv.includes('--quick') });
  console.table(result.paths);
  console.table(result.handover);
  console.log(JSON.stringify(result));
}
