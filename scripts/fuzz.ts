/**
 * `npm run fuzz`: the fuzz suite of test/fuzz at large counts. The same seeded cases (a case is
 * replayed from the seed and its index), run against the real components: the gateway's and the
 * orchestrator's HTTP APIs (in this process, with a live publisher whose stream must keep
 * flowing), ticket validation, payment bodies, the TFLite converter and the workflow validator.
 * Prints a table per target (cases, outcomes by status / error code, failures, RSS and heap
 * before and after) and writes bench/results/fuzz-latest.json. Exits 1 when a case broke a rule.
 *
 *   npm run fuzz -- --cases 10000 --seed 1
 *   npm run fuzz -- --target gateway,orchestrator --cases 2000
 *
 * Options: --cases N (per target, default 10000), --seed N (default 1), --target a,b (default
 * all: gateway, orchestrator, tickets, payment-body, payment-http, tflite, workflow),
 * --concurrency N (gateway and orchestrator, default 2), --out path (default
 * bench/results/fuzz-latest.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type FuzzReport,
  type FuzzTarget,
  failureCount,
  formatFailures,
  runFuzz,
} from '../test/helpers/fuzz/FuzzTarget.ts';
import type { FuzzStack } from '../test/helpers/fuzz/startFuzzStack.ts';

// Thousands of refused requests would bury the table; errors (a 5xx is logged) still show.
process.env.PEERFRAME_LOG_LEVEL ??= 'error';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    target: {
      type: 'string',
      default: 'gateway,orchestrator,tickets,payment-body,payment-http,tflite,workflow',
    },
    concurrency: { type: 'string', default: '2' },
    out: { type: 'string', default: 'bench/results/fuzz-latest.json' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const targets = values.target.split(',').map((name) => name.trim());
const known = [
  'gateway',
  'orchestrator',
  'tickets',
  'payment-body',
  'payment-http',
  'tflite',
  'workflow',
];
for (const name of targets) {
  if (!known.includes(name))
    throw new Error(`unknown target "${name}"; known: ${known.join(', ')}`);
}
if (!Number.isInteger(cases) || cases < 1) throw new Error('--cases must be a positive integer');

// A full collection before each memory sample, so "before" and "after" compare live data.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type MemorySample = { cases: number; rssMb: number; heapUsedMb: number };
const sampleMemory = (done: number): MemorySample => {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return {
    cases: done,
    rssMb: Math.round(rss / 1e5) / 10,
    heapUsedMb: Math.round(heapUsed / 1e5) / 10,
  };
};

type TargetResult = FuzzReport & {
  failureCount: number;
  memory: { before: MemorySample; after: MemorySample; samples: MemorySample[] };
};

async function run(target: FuzzTarget, targetConcurrency: number): Promise<TargetResult> {
  const before = sampleMemory(0);
  const samples: MemorySample[] = [before];
  let done = 0;
  const every = Math.max(1, Math.floor(cases / 10));
  const report = await runFuzz(target, {
    seed,
    cases,
    concurrency: targetConcurrency,
    onCase: () => {
      done++;
      if (done % every === 0) {
        const { rss, heapUsed } = process.memoryUsage();
        samples.push({
          cases: done,
          rssMb: Math.round(rss / 1e5) / 10,
          heapUsedMb: Math.round(heapUsed / 1e5) / 10,
        });
        process.stderr.write(`${target.name}: ${done}/${cases}\n`);
      }
    },
  });
  await target.close();
  const after = sampleMemory(cases);
  samples.push(after);
  return { ...report, failureCount: failureCount(report), memory: { before, after, samples } };
}

/**
 * Each target is imported when it runs, so a package that does not load (an export renamed while
 * others work in the checkout) costs that target only; it is reported as unavailable.
 */
const localTargets: Record<string, () => Promise<FuzzTarget>> = {
  tickets: async () =>
    (await import('../test/helpers/fuzz/ticketTarget.ts')).createTicketFuzzTarget(),
  'payment-body': async () =>
    (await import('../test/helpers/fuzz/paymentTarget.ts')).createPaymentFuzzTarget(),
  // POST /sessions/:id/payment for real: anvil, the protocol deployed, a funded sender.
  'payment-http': async () =>
    (await import('../test/helpers/fuzz/paymentHttpTarget.ts')).createPaymentHttpFuzzTarget(),
  tflite: async () =>
    (await import('../test/helpers/fuzz/tfliteTarget.ts')).createTfliteFuzzTarget(),
  // The workflow validator (packages/pipelines `validateWorkflow`) exists: it is fuzzed like the
  // others. HOOK: a second validator (e.g. pipeline manifests) would get its target here.
  workflow: async () =>
    (await import('../test/helpers/fuzz/workflowTarget.ts')).createWorkflowFuzzTarget(),
};
const unavailable: { target: string; error: string }[] = [];

const results: TargetResult[] = [];
/** Gateway streams and orchestrator sessions still open 30 s after each HTTP target (1 and 1: the live stream). */
const leftAfter: Record<string, { streams: number; sessions: number }> = {};
let liveStream:
  | { framesSent: number; framesReturned: number; framesWrongContent: number }
  | undefined;
const started = new Date();

const httpTargets = targets.filter((name) => name === 'gateway' || name === 'orchestrator');
if (httpTargets.length > 0) {
  const { startFuzzStack } = await import('../test/helpers/fuzz/startFuzzStack.ts');
  const { createGatewayFuzzTarget } = await import('../test/helpers/fuzz/gatewayTarget.ts');
  const { createOrchestratorFuzzTarget } = await import(
    '../test/helpers/fuzz/orchestratorTarget.ts'
  );
  const stack: FuzzStack = await startFuzzStack();
  try {
    for (const name of httpTargets) {
      const target =
        name === 'gateway'
          ? createGatewayFuzzTarget(stack)
          : await createOrchestratorFuzzTarget(stack);
      results.push(await run(target, concurrency));
      // What the target opened must be gone (streams whose publisher never connects end after
      // 15 s) before the next target counts capacity.
      leftAfter[name] = await stack.settle(30_000);
    }
    // The node still serves: the publisher's frames come back processed.
    const probe = await stack.probe(5_000);
    liveStream = {
      framesSent: probe.framesSent,
      framesReturned: probe.framesReturned,
      framesWrongContent: probe.framesWrongContent,
    };
  } finally {
    await stack.close();
  }
}
for (const name of targets) {
  const create = localTargets[name];
  if (!create) continue;
  let target: FuzzTarget;
  try {
    target = await create();
  } catch (error) {
    unavailable.push({ target: name, error: String(error) });
    continue;
  }
  results.push(await run(target, 1));
}

const pad = (value: string | number, width: number) => String(value).padEnd(width);
const lines: string[] = [];
lines.push(
  `fuzz seed ${seed}, ${cases} cases per target, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  '',
  `${pad('target', 14)}${pad('cases', 8)}${pad('failures', 10)}${pad('time s', 9)}${pad('RSS MB before → after', 24)}heap MB before → after`,
);
for (const r of results) {
  lines.push(
    `${pad(r.target, 14)}${pad(r.cases, 8)}${pad(r.failureCount, 10)}${pad((r.durationMs / 1000).toFixed(1), 9)}${pad(`${r.memory.before.rssMb} → ${r.memory.after.rssMb}`, 24)}${r.memory.before.heapUsedMb} → ${r.memory.after.heapUsedMb}`,
  );
}
for (const r of results) {
  lines.push('', `${r.target}: outcomes`);
  const sorted = Object.entries(r.outcomes).sort(([, a], [, b]) => b - a);
  for (const [outcome, count] of sorted) lines.push(`  ${pad(count, 8)}${outcome}`);
  if (r.failureCount > 0) lines.push(formatFailures(r));
}
for (const { target, error } of unavailable) lines.push('', `${target}: UNAVAILABLE (${error})`);
for (const [target, left] of Object.entries(leftAfter)) {
  lines.push(
    '',
    `after ${target}: ${left.streams} gateway stream(s), ${left.sessions} orchestrator session(s) left (1 and 1 are the live stream)`,
  );
}
if (liveStream) {
  lines.push(
    '',
    `live stream after the HTTP targets: ${liveStream.framesReturned}/${liveStream.framesSent} frames back, ${liveStream.framesWrongContent} wrong`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);

mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  `${JSON.stringify(
    {
      startedAt: started.toISOString(),
      command: `node --conditions=source scripts/fuzz.ts ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
      seed,
      casesPerTarget: cases,
      targets: results,
      unavailable,
      leftAfter,
      liveStream,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`wrote ${values.out}\n`);
// The live publisher's libwebrtc threads keep the process up otherwise.
process.exit(results.some((r) => r.failureCount > 0) || unavailable.length > 0 ? 1 : 0);
