/**
 * `npm run bench:pipelines`: the pipelines section of `npm run bench` alone — every pipeline and
 * workflow at three sizes under every execution provider that loads here (see
 * `pipelinesBench.ts`). Prints a table and writes bench/results/pipelines.json (not
 * BENCHMARKS.md: that is the whole bench's). `--quick`: 20 frames per measurement instead of 60.
 * Figures only: nothing here is asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runPipelinesBench } from './pipelinesBench.ts';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const quick = process.argv.includes('--quick');
const startedAt = performance.now();
const result = await runPipelinesBench({ quick });
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/pipelines.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), machine, quick, ...result }, null, 2)}\n`,
);
console.table(
  result.pipelines.map((r) => ({
    pipeline: r.pipeline,
    size: r.size,
    provider: r.executionProvider,
    ranOn: r.sessionsRanOn.join('+'),
    msP50: r.pipelineMsP50,
    msP95: r.pipelineMsP95,
    workflowMsP50: r.workflowMsP50,
  })),
);
console.log(
  `measured on ${result.executionProviders.measured.join(', ')}; not measured: ${
    Object.entries(result.executionProviders.unavailable)
      .map(([provider, reason]) => `${provider} (${reason})`)
      .join('; ') || 'none'
  }`,
);
console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${Math.round((performance.now() - startedAt) / 1000)} s; wrote bench/results/pipelines.json`,
);
