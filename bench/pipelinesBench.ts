/**
 * The pipelines figures of `npm run bench`: under every execution provider that loads here (CPU
 * always; CUDA and WebGPU when their probes pass), for every registered pipeline at 256², 512²
 * and 1280×720, the whole pipeline's ms per frame (`process()`), the bare pretrained model's ms
 * (the network alone on its own input size, for the pipelines that have one), and — for the same
 * pipeline run from its shipped manifest as a workflow plan — the ms inside ONNX sessions and JS
 * nodes and the plan's own overhead (plan − sessions − JS nodes). Plus a few workflows that are
 * not shipped pipelines (a chain of image nodes fused into one session, two filters fused). Each
 * row records the provider asked for and the providers its sessions ran on; the providers not
 * measured are recorded with the reason. Figures only: nothing is asserted, nothing printed. One
 * intra-op thread, as the nodes run. `npm run bench:pipelines` runs this section alone.
 */
import { SyntheticVideo } from '@peerframe/client-sdk/node';
import {
  blazeFaceModel,
  defaultNodeRegistry,
  defaultPipelineRegistry,
  executionProviderUnavailableReason,
  type Frame,
  loadSelfieSegmentationOnnx,
  loadShippedPipeline,
  OnnxSession,
  pipelineMedia,
  readVerifiedModelFile,
  type ShippedPipelineName,
  shippedPipelineNames,
  type Workflow,
  WorkflowPlan,
  type WorkflowRunStats,
} from '@peerframe/pipelines';
import type { ExecutionProviderName } from '@peerframe/pipelines/onnx';
import * as ort from 'onnxruntime-node';

export type PipelineBenchRow = {
  pipeline: string;
  size: string;
  /** The provider asked for, and the ones the pipeline's sessions ran on. */
  executionProvider: ExecutionProviderName;
  sessionsRanOn: string[];
  /** `pipeline.process(frame)`, median and 95th percentile, ms. */
  pipelineMsP50: number;
  pipelineMsP95: number;
  /** Frames per second one pipeline instance sustains (1000 / mean ms). */
  fps: number;
  /** The pretrained network alone on its own input (selfie segmentation 256², BlazeFace 128²). */
  bareModelMsP50: number | null;
  /** The same pipeline as a workflow plan from its shipped manifest: whole run, ms (median). */
  workflowMsP50: number | null;
  /** …of which inside ONNX sessions and inside JS nodes (face detection, drawing), ms. */
  workflowOnnxMsP50: number | null;
  workflowJsNodeMsP50: number | null;
  /** The plan's own overhead per frame: run − sessions − JS nodes, ms (median). */
  workflowOverheadMsP50: number | null;
};

export type WorkflowBenchRow = {
  workflow: string;
  size: string;
  executionProvider: ExecutionProviderName;
  /** ONNX sessions the plan compiled to. */
  sessions: number;
  planMsP50: number;
  onnxMsP50: number;
  jsNodeMsP50: number;
  overheadMsP50: number;
};

export type PipelinesBenchResult = {
  framesPerMeasurement: number;
  intraOpNumThreads: number;
  /** The providers measured, and why each other one was not. */
  executionProviders: { measured: ExecutionProviderName[]; unavailable: Record<string, string> };
  pipelines: PipelineBenchRow[];
  workflows: WorkflowBenchRow[];
};

const sizes = [
  [256, 256],
  [512, 512],
  [1280, 720],
] as const;
const sessionOptions = { intraOpNumThreads: 1 } as const;

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

function frames(widthPx: number, heightPx: number): Frame[] {
  const video = new SyntheticVideo(widthPx, heightPx);
  return Array.from({ length: 10 }, (_, n) => ({
    ...video.frame(n),
    widthPx,
    heightPx,
    format: 'i420' as const,
    timestampUs: n,
  }));
}

/** Times `fn` over `count` calls after `warmup` untimed ones. */
async function timeCalls(
  count: number,
  warmup: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
}

/** A plan's run, split: whole, inside sessions, inside JS nodes; medians of `count` frames. */
async function timePlan(plan: WorkflowPlan, input: readonly Frame[], count: number) {
  const whole: number[] = [];
  const onnx: number[] = [];
  const js: number[] = [];
  for (let i = 0; i < count + 3; i++) {
    const stats: WorkflowRunStats = { onnxMs: 0, jsNodeMs: 0 };
    const started = performance.now();
    await plan.run(input[i % input.length] as Frame, stats);
    if (i < 3) continue; // warmup
    whole.push(performance.now() - started);
    onnx.push(stats.onnxMs);
    js.push(stats.jsNodeMs);
  }
  const overhead = whole.map((w, i) => w - (onnx[i] as number) - (js[i] as number));
  return {
    msP50: round(quantile(whole, 0.5)),
    onnxMsP50: round(quantile(onnx, 0.5)),
    jsNodeMsP50: round(quantile(js, 0.5)),
    overheadMsP50: round(quantile(overhead, 0.5), 3),
  };
}

/** The pretrained networks alone, ms per run (median), on random input of their own size. */
async function bareModels(
  count: number,
  executionProvider: ExecutionProviderName,
): Promise<Record<string, number>> {
  const run = async (model: Uint8Array, name: string, dims: number[]) => {
    const session = await OnnxSession.create(model, { ...sessionOptions, executionProvider });
    try {
      const data = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () =>
        Math.random(),
      );
      const feeds = { [name]: new ort.Tensor('float32', data, dims) };
      return round(quantile(await timeCalls(count, 3, () => session.run(feeds)), 0.5));
    } finally {
      await session.close();
    }
  };
  const selfie = await loadSelfieSegmentationOnnx('general');
  const blazeFace = (await readVerifiedModelFile(blazeFaceModel)).bytes;
  const segmentationMs = await run(selfie, 'input_1', [1, 256, 256, 3]);
  return {
    'background-blur': segmentationMs,
    'background-replace': segmentationMs,
    'face-boxes': await run(blazeFace, 'input:0', [1, 128, 128, 3]),
  };
}

/** Workflows that are not shipped pipelines: what fusing buys. */
const extraWorkflows: Record<string, Workflow> = {
  'crop-scale-blur-grade (fused)': {
    in: { class_type: 'LoadTensor', inputs: {} },
    crop: {
      class_type: 'ImageCrop',
      inputs: { image: ['in', 0], width: 200, height: 200, x: 20, y: 20 },
    },
    scale: {
      class_type: 'ImageScale',
      inputs: {
        image: ['crop', 0],
        upscale_method: 'bilinear',
        width: 256,
        height: 256,
        crop: 'disabled',
      },
    },
    blur: { class_type: 'ImageBlur', inputs: { image: ['scale', 0], blur_radius: 4, sigma: 2 } },
    grade: {
      class_type: 'ColorGrade',
      inputs: {
        image: ['blur', 0],
        saturation: 1.3,
        contrast: 1.1,
        brightness: 0,
        temperature: 0.2,
        gamma: 1,
      },
    },
    out: { class_type: 'SaveTensor', inputs: { images: ['grade', 0] } },
  },
  'color-grade + sketch (fused)': {
    in: { class_type: 'LoadTensor', inputs: {} },
    grade: {
      class_type: 'ColorGrade',
      inputs: {
        image: ['in', 0],
        saturation: 1.5,
        contrast: 1.2,
        brightness: 0,
        temperature: 0,
        gamma: 1,
      },
    },
    sketch: {
      class_type: 'SketchFilter',
      inputs: { image: ['grade', 0], strength: 4, threshold: 0.08 },
    },
    out: { class_type: 'SaveTensor', inputs: { images: ['sketch', 0] } },
  },
};

/** The providers that load here, and why each other one does not. */
async function presentProviders(): Promise<PipelinesBenchResult['executionProviders']> {
  const measured: ExecutionProviderName[] = [];
  const unavailable: Record<string, string> = {};
  for (const provider of ['cpu', 'cuda', 'webgpu'] as const) {
    const reason = await executionProviderUnavailableReason(provider);
    if (reason === undefined) measured.push(provider);
    else unavailable[provider] = reason;
  }
  return { measured, unavailable };
}

export async function runPipelinesBench(options: {
  quick: boolean;
}): Promise<PipelinesBenchResult> {
  const count = options.quick ? 20 : 60;
  const providers = await presentProviders();
  const rows: PipelineBenchRow[] = [];
  const workflowRows: WorkflowBenchRow[] = [];
  for (const executionProvider of providers.measured) {
    const measured = await measureProvider(count, executionProvider);
    rows.push(...measured.rows);
    workflowRows.push(...measured.workflowRows);
  }
  return {
    framesPerMeasurement: count,
    intraOpNumThreads: sessionOptions.intraOpNumThreads,
    executionProviders: providers,
    pipelines: rows,
    workflows: workflowRows,
  };
}

/** Every pipeline and extra workflow at every size, on one provider. */
async function measureProvider(
  count: number,
  executionProvider: ExecutionProviderName,
): Promise<{ rows: PipelineBenchRow[]; workflowRows: WorkflowBenchRow[] }> {
  const providerOptions = { ...sessionOptions, executionProvider };
  const registry = defaultPipelineRegistry({ workflows: { sessionOptions: providerOptions } });
  const bare = await bareModels(count, executionProvider);
  const shipped = new Set<string>(shippedPipelineNames);
  const rows: PipelineBenchRow[] = [];
  const workflowRows: WorkflowBenchRow[] = [];
  for (const [widthPx, heightPx] of sizes) {
    const input = frames(widthPx, heightPx);
    const size = `${widthPx}x${heightPx}`;
    // Video pipelines (audio ones are in audioBench.ts).
    const video = registry.names().filter((n) => pipelineMedia(registry.get(n)).includes('video'));
    for (const name of video) {
      const pipeline = await registry.create(name);
      let times: number[];
      const sessionsRanOn = [...(pipeline.executionProviders ?? [])];
      try {
        times = await timeCalls(count, 3, (i) =>
          pipeline.process(input[i % input.length] as Frame),
        );
      } finally {
        await pipeline.close();
      }
      let workflow: Awaited<ReturnType<typeof timePlan>> | undefined;
      if (shipped.has(name)) {
        const loaded = loadShippedPipeline(name as ShippedPipelineName);
        const plan = await WorkflowPlan.compile(
          typeof loaded.definition.workflow === 'function'
            ? loaded.definition.workflow(
                Object.fromEntries(
                  Object.entries(loaded.definition.paramsSchema ?? {}).map(([k, spec]) => [
                    k,
                    spec.default,
                  ]),
                ),
              )
            : loaded.definition.workflow,
          { registry: loaded.registry, sessionOptions: providerOptions, models: loaded.models },
        );
        try {
          workflow = await timePlan(plan, input, count);
        } finally {
          await plan.close();
        }
      }
      rows.push({
        pipeline: name,
        size,
        executionProvider,
        sessionsRanOn,
        pipelineMsP50: round(quantile(times, 0.5)),
        pipelineMsP95: round(quantile(times, 0.95)),
        fps: round(1000 / mean(times), 1),
        bareModelMsP50: bare[name] ?? null,
        workflowMsP50: workflow?.msP50 ?? null,
        workflowOnnxMsP50: workflow?.onnxMsP50 ?? null,
        workflowJsNodeMsP50: workflow?.jsNodeMsP50 ?? null,
        workflowOverheadMsP50: workflow?.overheadMsP50 ?? null,
      });
    }
    for (const [name, workflow] of Object.entries(extraWorkflows)) {
      const plan = await WorkflowPlan.compile(workflow, {
        registry: defaultNodeRegistry(),
        sessionOptions: providerOptions,
      });
      try {
        const timed = await timePlan(plan, input, count);
        workflowRows.push({
          workflow: name,
          size,
          executionProvider,
          sessions: plan.steps.filter((step) => step.kind === 'onnx').length,
          planMsP50: timed.msP50,
          onnxMsP50: timed.onnxMsP50,
          jsNodeMsP50: timed.jsNodeMsP50,
          overheadMsP50: timed.overheadMsP50,
        });
      } finally {
        await plan.close();
      }
    }
  }
  await registry.close();
  return { rows, workflowRows };
}
