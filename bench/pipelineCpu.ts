/**
 * `node --conditions=source bench/pipelineCpu.ts [PIPELINE] [WxH] [--frames N] [--profile]`: one
 * shipped pipeline (default background-blur at 1280x720) on the person photo, in this process on
 * one intra-op thread as the orchestrator runs it: CPU time per frame (user + sys over N frames
 * after 10 warm-up frames; steadier than wall time on a shared machine) and wall p50/p95.
 * `--profile` adds onnxruntime's per-operator kernel times for each session (ms per run; the
 * profiler inflates them). Run the same command in two worktrees, interleaved, for an A/B.
 * Figures only: nothing is asserted.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { photoFrame } from '../packages/pipelines/fixtures/photoRegions.ts';
import type { ShippedPipelineName } from '../packages/pipelines/src/manifest/shippedPipelines.ts';
import { defaultPipelineRegistry } from '../packages/pipelines/src/pipeline/PipelineRegistry.ts';
import type { WorkflowPipeline } from '../packages/pipelines/src/workflow/WorkflowPipeline.ts';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const args = process.argv.slice(2);
const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--frames');
const name = (positional[0] ?? 'background-blur') as ShippedPipelineName;
const [widthPx, heightPx] = (positional[1] ?? '1280x720').split('x').map(Number) as [
  number,
  number,
];
const framesAt = args.indexOf('--frames');
const frames = framesAt === -1 ? 150 : Number(args[framesAt + 1]);
const profileDir = args.includes('--profile') ? join(tmpdir(), `pipeline-cpu-${process.pid}`) : '';

if (profileDir !== '') {
  mkdirSync(profileDir, { recursive: true });
  const create = ort.InferenceSession.create.bind(ort.InferenceSession);
  let index = 0;
  Object.assign(ort.InferenceSession, {
    create: (model: Uint8Array, options: ort.InferenceSession.SessionOptions) =>
      create(model, {
        ...options,
        enableProfiling: true,
        profileFilePrefix: join(profileDir, `session${index++}`),
      }),
  });
}

// One intra-op thread, as the orchestrator sets it (createOrchestratorPipelines.ts); the
// registry's default (0) lets onnxruntime start a thread per core.
const registry = defaultPipelineRegistry({
  keepWarm: false,
  workflows: { sessionOptions: { intraOpNumThreads: 1 } },
});
const pipeline = (await registry.create(name)) as WorkflowPipeline;
const frame = photoFrame(widthPx, heightPx);
for (let i = 0; i < 10; i++) await pipeline.process(frame);
const wallMs: number[] = [];
const before = process.cpuUsage();
for (let i = 0; i < frames; i++) {
  const started = performance.now();
  await pipeline.process(frame);
  wallMs.push(performance.now() - started);
}
const cpu = process.cpuUsage(before);
await pipeline.close();
wallMs.sort((a, b) => a - b);
const at = (q: number) => (wallMs[Math.floor(q * (wallMs.length - 1))] as number).toFixed(1);
console.log(
  `${name} ${widthPx}x${heightPx}: cpu ${((cpu.user + cpu.system) / 1000 / frames).toFixed(1)} ms/frame, wall p50 ${at(0.5)} p95 ${at(0.95)} ms (${frames} frames)`,
);

type ProfileEvent = {
  cat: string;
  name: string;
  dur: number;
  args?: { op_name?: string; output_type_shape?: Record<string, number[]>[] };
};
/** An operator's output shapes, e.g. `[1,1,720,1280]`: which pass over the frame it is. */
const shapesOf = (event: ProfileEvent) =>
  (event.args?.output_type_shape ?? [])
    .flatMap((output) => Object.values(output).map((dims) => `[${dims.join(',')}]`))
    .join(' ');
if (profileDir !== '') {
  for (const file of readdirSync(profileDir).sort()) {
    const events = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as ProfileEvent[];
    const runs = events.filter((event) => event.name === 'model_run').length;
    const byNode = new Map<string, number>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
      const key = `${event.args?.op_name} ${event.name.replace('_kernel_time', '')} → ${shapesOf(event)}`;
      byNode.set(key, (byNode.get(key) ?? 0) + event.dur);
    }
    const perRun = (us: number) => (us / runs / 1000).toFixed(2);
    const total = [...byNode.values()].reduce((a, b) => a + b, 0);
    console.log(`${file}: ${runs} runs, kernels ${perRun(total)} ms/run`);
    for (const [key, us] of [...byNode].sort((a, b) => b[1] - a[1]).slice(0, 200))
      console.log(`  ${perRun(us)} ms  ${key}`);
  }
  rmSync(profileDir, { recursive: true, force: true });
}
