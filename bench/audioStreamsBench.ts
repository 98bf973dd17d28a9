/**
 * CPU per audio stream at the orchestrator: GStreamer publishers send Opus alone (a 440 Hz tone,
 * 10 ms frames) to audio-only pipelines through the gateway; the orchestrator process (its own
 * process, as `npm start` runs it) receives the RTP over SRTP, decodes the Opus, runs the
 * pipeline, encodes and sends the result back. Its CPU time (/proc, every thread: HTTP, media
 * threads, codecs) over a window while N streams run, less what it uses idle over as long, is
 * divided by N. Figures only: nothing is asserted.
 *
 * Run alone: `npm run bench:audio-streams [-- --quick]` prints its
 * BENCHMARKS.md section; without `--quick` it also writes its figures into
 * bench/results/latest.json (then `npm run bench:render`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startDevStack } from '@peerframe/cli';
import { GatewayServer } from '@peerframe/gateway';
import type { OrchestratorView } from '@peerframe/wire';
import { GstWhipPublisher } from '../test/helpers/GstWhipPublisher.ts';
import { until } from '../test/helpers/until.ts';

export type AudioStreamsRow = {
  pipeline: string;
  streams: number;
  /** The orchestrator process while the streams ran, % of one core (idle included). */
  orchestratorCpuPercent: number;
  /** The same process idle, % of one core. */
  idleCpuPercent: number;
  /** (running − idle) / streams, % of one core. */
  cpuPercentPerStream: number;
  /** Returned audio buffers per second per stream at the publishers (20 ms each: 50 when none is lost). */
  buffersBackPerSecond: number;
  loadAverage1m: number;
};

export type AudioStreamsBenchResult = {
  date: string;
  machine: { cpu: string; cores: number };
  windowSeconds: number;
  rows: AudioStreamsRow[];
};

const clockTicksPerSecond = 100;
const round = (n: number, digits = 1) => Number(n.toFixed(digits)) || 0;

/** CPU seconds (user + system, every thread) a process used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

/** % of one core `pid` uses over `seconds` from now. */
async function cpuPercentOver(pid: number, seconds: number): Promise<number> {
  const before = cpuSeconds(pid);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wallS = (performance.now() - started) / 1000;
  return ((cpuSeconds(pid) - before) / wallS) * 100;
}

/** Resolves once the gateway has read the orchestrator's `/info` and knows these pipelines there. */
async function waitKnown(gatewayUrl: string, pipelines: string[]): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const { orchestrators } = (await (await fetch(`${gatewayUrl}/orchestrators`)).json()) as {
      orchestrators: OrchestratorView[];
    };
    const known = orchestrators[0]?.pipelines ?? [];
    if (pipelines.every((p) => known.includes(p))) return;
    if (performance.now() > deadline) throw new Error('timed out: the orchestrator unknown');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Resolves once the orchestrator has no session left (`/healthz`). */
async function waitNoSessions(orchestratorUrl: string): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (;;) {
    const health = (await (await fetch(`${orchestratorUrl}/healthz`)).json()) as {
      sessions: number;
    };
    if (health.sessions === 0) return;
    if (performance.now() > deadline) throw new Error('timed out: sessions left');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long the bench's gateway lets the orchestrator's audio pause before moving the stream, ms. */
const tolerantStallTimeoutMs = 5_000;

/** Time left for the spare media threads a session's start triggers to load, s. */
const spareStartSeconds = 3;

/** Pipelines measured, with the params they run with. */
const measured: { pipeline: string; params: Record<string, unknown> }[] = [
  { pipeline: 'gain', params: { gainDb: -6 } },
  { pipeline: 'noise-suppression', params: {} },
];

export async function runAudioStreamsBench(options: {
  quick: boolean;
}): Promise<AudioStreamsBenchResult> {
  const windowSeconds = options.quick ? 5 : 15;
  // At most the orchestrator's default capacity (4 sessions).
  const counts = [1, 4];
  const stack = await startDevStack({ host: '127.0.0.1', gatewayPort: 0, orchestratorPort: 0 });
  // The streams go through a gateway in this process, to the stack's orchestrator process: one
  // that lets an orchestrator pause for seconds before it moves a stream away. On this shared
  // machine a starved orchestrator paused past the default 400 ms, and with no other orchestrator
  // to move to the stream ended; this bench measures CPU, not failover.
  const gateway = await GatewayServer.create({
    orchestrators: [stack.orchestratorUrl],
    stallTimeoutMs: tolerantStallTimeoutMs,
  });
  const rows: AudioStreamsRow[] = [];
  try {
    await waitKnown(
      gateway.url,
      measured.map((m) => m.pipeline),
    );
    const pid = stack.nodes.find((n) => n.role === 'orchestrator')?.pid ?? 0;
    for (const { pipeline, params } of measured) {
      for (const streams of counts) {
        const idleCpuPercent = await cpuPercentOver(pid, windowSeconds);
        const publishers: GstWhipPublisher[] = [];
        const back: number[] = [];
        try {
          for (let i = 0; i < streams; i++) {
            const publisher = await GstWhipPublisher.connect({
              whipUrl: `${gateway.url}/whip?params=${encodeURIComponent(JSON.stringify(params))}`,
              pipeline,
              widthPx: 16,
              heightPx: 16,
              codec: 'none',
              audio: 'tone',
            });
            publishers.push(publisher);
            back.push(0);
            publisher.on('audio', () => {
              back[i] = (back[i] ?? 0) + 1;
            });
          }
          // Every stream returns audio (a second of it) before the window starts.
          await until(
            () => back.every((n) => n >= 50),
            30_000,
            () => `${pipeline}: audio back`,
          );
          // A session takes a spare media thread and the pool starts the next one (werift and
          // FFmpeg load for a second or two): that start-up is no cost of the streams.
          await new Promise((resolve) => setTimeout(resolve, spareStartSeconds * 1000));
          const backBefore = back.reduce((sum, n) => sum + n, 0);
          const orchestratorCpuPercent = await cpuPercentOver(pid, windowSeconds);
          const backInWindow = back.reduce((sum, n) => sum + n, 0) - backBefore;
          rows.push({
            pipeline,
            streams,
            orchestratorCpuPercent: round(orchestratorCpuPercent),
            idleCpuPercent: round(idleCpuPercent),
            cpuPercentPerStream: round((orchestratorCpuPercent - idleCpuPercent) / streams, 2),
            buffersBackPerSecond: round(backInWindow / windowSeconds / streams),
            loadAverage1m: round(loadavg()[0] ?? 0, 2),
          });
        } finally {
          await Promise.all(publishers.map((p) => p.close()));
        }
        // The sessions end with their publishers' WHIP DELETE: the next idle window is idle.
        await waitNoSessions(stack.orchestratorUrl);
      }
    }
  } finally {
    await gateway.close();
    await stack.close();
  }
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    windowSeconds,
    rows,
  };
}

/** The section of BENCHMARKS.md: CPU per audio stream at the orchestrator. */
export function renderAudioStreamsBench(result: AudioStreamsBenchResult | undefined): string[] {
  if (result === undefined) return [];
  return [
    '### CPU per audio stream at the orchestrator',
    '',
    `Audio-only streams through the whole stack: GStreamer publishers send Opus alone (a 440 Hz tone, in 10 ms packets: 100 a second, each decoded and processed as it comes; browsers send 20 ms ones) to a gateway (the bench's process; it lets the orchestrator's audio pause up to 5 s before moving a stream, where the default is 400 ms: on this loaded machine the orchestrator paused longer, and with no other orchestrator the stream ended), which forwards it to the orchestrator (its own process); there it is received over SRTP, decoded, run through the pipeline, encoded and sent back, and returns to each publisher (50 decoded 20 ms buffers a second when nothing is lost or dropped). CPU is the orchestrator process's (every thread, from /proc) over ${result.windowSeconds} s with the streams running (from 3 s after every stream's audio came back, so the spare media threads a new session makes the pool start have loaded), less its idle CPU over as long just before, divided by the streams. The pipelines alone cost what the table above says (CPU ms per second of audio); the rest is the stream's transport (SRTP, RTP) and Opus codecs. Measured ${result.date.slice(0, 10)} on ${result.machine.cpu}, ${result.machine.cores} cores, shared with other work (load average in the last column): figures are indicative.`,
    '',
    '| pipeline | streams | orchestrator CPU % (idle %) | CPU % of a core per stream | buffers back per s per stream | load (1 min) |',
    '|---|---|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.pipeline} | ${r.streams} | ${r.orchestratorCpuPercent} (${r.idleCpuPercent}) | ${r.cpuPercentPerStream} | ${r.buffersBackPerSecond} | ${r.loadAverage1m} |`,
    ),
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
  const quick = process.argv.includes('--quick');
  const result = await runAudioStreamsBench({ quick });
  console.log(renderAudioStreamsBench(result).join('\n'));
  if (!quick) {
    const latest = new URL('./results/latest.json', import.meta.url);
    const report = JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>;
    writeFileSync(latest, `${JSON.stringify({ ...report, audioStreams: result }, null, 2)}\n`);
    console.log('wrote its figures into bench/results/latest.json (npm run bench:render)');
  }
}
