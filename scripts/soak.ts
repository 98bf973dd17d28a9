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

const stack = await startDevStack({
  host: '127.0.0.1',
  gatewayPort: 0,
  orchestratorPort: 0,
  chainPort: 0,
  orchestrators: Math.max(1, Math.ceil(streams / 4)),
  warmup: true,
});
const report: {
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
} = {
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
  let minCreditEver: bigint | undefined;
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
        const res = await fetch(`${s.orchestrator}/sessions/${s.orchestratorSessionId}`);
        const body = (await res.json()) as { balanceWei?: string };
        return BigInt(body.balanceWei ?? '0');
      }),
    );
    const [minCredit = 0n] = [...credits].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (minCreditEver === undefined || minCredit < minCreditEver) minCreditEver = minCredit;
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
  // Criteria, from the second window (the first includes warm-up and connection set-up).
  const first = report.windows[1] ?? report.windows[0];
  const last = report.windows.at(-1);
  if (!first || !last) throw new Error('no windows');
  const growth = last.nodes.map((n, i) => {
    const before = first.nodes[i];
    return {
      role: n.role,
      rss: n.rssMb / (before?.rssMb ?? n.rssMb),
      fds: n.fds - (before?.fds ?? n.fds),
    };
  });
  report.criteria = {
    rssGrowthBelow10Percent: {
      ok: growth.every((g) => g.rss < 1.1),
      detail: growth.map((g) => `${g.role} ×${g.rss.toFixed(3)}`).join(', '),
    },
    noFdGrowth: {
      ok: growth.every((g) => g.fds <= 0),
      detail: growth.map((g) => `${g.role} ${g.fds >= 0 ? '+' : ''}${g.fds}`).join(', '),
    },
    noStreamEnded: {
      ok: report.windows.every((w) => w.streamsLive === streams),
      detail: `live per window: ${report.windows.map((w) => w.streamsLive).join(' ')}`,
    },
    creditNeverNegative: {
      ok: (minCreditEver ?? 0n) >= 0n,
      detail: `lowest credit seen ${minCreditEver} wei`,
    },
  };
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
