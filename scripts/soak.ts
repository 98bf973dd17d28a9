/**
 * Soak: N concurrent streams for M minutes through the whole paying stack (anvil with the
 * protocol, gateway paying orchestrators in tickets every second), frames checked by number.
 * Every window (default 30 s) it prints latency, fps, RSS and open file descriptors of each node,
 * and each stream's credit on its orchestrator; at the end it applies the pass criteria:
 * RSS growth < 10 %, no fd growth, no stream ended, credit never negative. Writes
 * bench/results/soak-latest.json. Exit code 1 when a criterion fails.
 *
 *   node --conditions=source scripts/soak.ts [--streams 3] [--minutes 10] [--window-s 30]
 *     [--size 512]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { startDevStack } from '@peerframe/cli';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '3' },
    minutes: { type: 'string', default: '10' },
    'window-s': { type: 'string', default: '30' },
    size: { type: 'string', default: '512' },
    evaluate: { type: 'string' },
  },
});
const streams = Number(values.streams);
const windowMs = Number(values['window-s']) * 1000;
const windows = Math.max(2, Math.round((Number(values.minutes) * 60_000) / windowMs));
const sizePx = Number(values.size);

/** Resident memory (MB) and open file descriptors of a process. */
function processFigures(pid: number): { rssMb: number; fds: number } {
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { rssMb: Math.round(Number(rss ?? 0) / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

type StreamView = {
  id: string;
  state: string;
  orchestrator: string;
  orchestratorSessionId: string;
  swaps: number;
  spentWei: string;
};

type SoakReport = {
  machine: { cpu: string; cores: number };
  streams: number;
  sizePx: number;
  windowS: number;
  windows: {
    atS: number;
    latencyP50Ms: number;
    latencyP95Ms: number;
    fpsOut: number;
    nodes: { role: string; pid: number; rssMb: number; fds: number }[];
    minCreditWei: string;
    streamsLive: number;
  }[];
  criteria?: Record<string, { ok: boolean; detail: string }>;
};

if (values.evaluate) {
  // Apply the criteria to a saved run (e.g. bench/results/soak-latest.json) without running one.
  const saved = JSON.parse(readFileSync(values.evaluate, 'utf8')) as SoakReport;
  let ok = true;
  for (const [name, result] of Object.entries(evaluate(saved))) {
    process.stdout.write(`${result.ok ? 'PASS' : 'FAIL'}  ${name}: ${result.detail}\n`);
    ok &&= result.ok;
  }
  process.exit(ok ? 0 : 1);
}

const stack = await startDevStack({
  host: '127.0.0.1',
  gatewayPort: 0,
  orchestratorPort: 0,
  chainPort: 0,
  orchestrators: Math.max(1, Math.ceil(streams / 4)),
  warmup: true,
});
const report: SoakReport = {
  machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
  streams,
  sizePx,
  windowS: windowMs / 1000,
  windows: [],
};
const publishers: NodeWhipPublisher[] = [];
const startedAt = performance.now();
let failed = false;
try {
  for (let i = 0; i < streams; i++) {
    publishers.push(
      await NodeWhipPublisher.connect({
        whipUrl: `${stack.gatewayUrl}/whip`,
        pipeline: i % 2 === 0 ? 'invert' : 'passthrough',
      }),
    );
  }
  const ids = new Set(publishers.map((p) => p.streamId));
  process.stdout.write(
    `soak: ${streams} streams at ${sizePx}², ${windows} windows of ${windowMs / 1000} s\n`,
  );
  for (let w = 0; w < windows; w++) {
    const results = await Promise.all(
      publishers.map((publisher) =>
        runFrameProbe(publisher, {
          widthPx: sizePx,
          heightPx: sizePx,
          durationMs: windowMs,
          warmupMs: w === 0 ? 2_000 : 0,
        }),
      ),
    );
    const { streams: live } = (await (await fetch(`${stack.gatewayUrl}/streams`)).json()) as {
      streams: StreamView[];
    };
    // Each stream's credit as its orchestrator counts it.
    const credits = await Promise.all(
      live.map(async (s) => {
        const res = await fetch(`${s.orchestrator}/sessions/${s.orchestratorSessionId}`, {
          headers: { authorization: `Bearer ${stack.orchestratorAdminToken}` },
        });
        const body = (await res.json()) as { balanceWei?: string };
        return BigInt(body.balanceWei ?? '0');
      }),
    );
    const [minCredit = 0n] = [...credits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const nodes = stack.nodes.map((n) => ({ role: n.role, pid: n.pid, ...processFigures(n.pid) }));
    const window = {
      atS: Math.round((performance.now() - startedAt) / 1000),
      latencyP50Ms: Math.round(median(results.map((r) => r.latencyP50Ms))),
      latencyP95Ms: Math.round(median(results.map((r) => r.latencyP95Ms))),
      fpsOut: Math.round(median(results.map((r) => r.fpsOut)) * 10) / 10,
      nodes,
      minCreditWei: minCredit.toString(),
      streamsLive: live.filter((s) => ids.has(s.id) && s.state === 'live').length,
    };
    report.windows.push(window);
    process.stdout.write(
      `${String(window.atS).padStart(5)} s  p50 ${window.latencyP50Ms} ms  p95 ${window.latencyP95Ms} ms  ${window.fpsOut} fps  live ${window.streamsLive}/${streams}  credit ≥ ${minCredit} wei  ${nodes.map((n) => `${n.role}:${n.rssMb}MB/${n.fds}fd`).join(' ')}\n`,
    );
  }
  report.criteria = evaluate(report);
  for (const [name, { ok, detail }] of Object.entries(report.criteria)) {
    process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}\n`);
    if (!ok) failed = true;
  }
  writeFileSync(
    new URL('../bench/results/soak-latest.json', import.meta.url),
    `${JSON.stringify(report, null, 2)}\n`,
  );
} finally {
  await Promise.all(publishers.map((p) => p.close()));
  await stack.close();
}
process.exitCode = failed ? 1 : 0;

/**
 * The pass criteria, from the saved windows: RSS growth < 10 % (second window → last; the first
 * includes warm-up), no fd growth (the end not above the first half's highest: descriptors move
 * by a few as sockets and worker threads come and go), no stream ended, credit never negative.
 */
function evaluate(run: SoakReport): Record<string, { ok: boolean; detail: string }> {
  const first = run.windows[1] ?? run.windows[0];
  const last = run.windows.at(-1);
  if (!first || !last) throw new Error('no windows');
  const firstHalf = run.windows.slice(0, Math.max(1, Math.ceil(run.windows.length / 2)));
  const firstHalfMaxFds = (node: number) =>
    Math.max(...firstHalf.map((w) => w.nodes[node]?.fds ?? 0));
  const rssGrowth = last.nodes.map((n, i) => ({
    role: n.role,
    ratio: n.rssMb / (first.nodes[i]?.rssMb ?? n.rssMb),
  }));
  const [lowestCredit = 0n] = run.windows
    .map((w) => BigInt(w.minCreditWei))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    rssGrowthBelow10Percent: {
      ok: rssGrowth.every((g) => g.ratio < 1.1),
      detail: rssGrowth.map((g) => `${g.role} ×${g.ratio.toFixed(3)}`).join(', '),
    },
    noFdGrowth: {
      ok: last.nodes.every((n, i) => n.fds <= firstHalfMaxFds(i)),
      detail: last.nodes
        .map((n, i) => `${n.role} ${n.fds} at the end, ≤ ${firstHalfMaxFds(i)} in the first half`)
        .join(', '),
    },
    noStreamEnded: {
      ok: run.windows.every((w) => w.streamsLive === run.streams),
      detail: `live per window: ${run.windows.map((w) => w.streamsLive).join(' ')}`,
    },
    creditNeverNegative: {
      ok: lowestCredit >= 0n,
      detail: `lowest credit seen ${lowestCredit} wei`,
    },
  };
}
