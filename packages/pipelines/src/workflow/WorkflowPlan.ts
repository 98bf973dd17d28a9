import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import { cropI420FromEven, padI420ToEven } from '../frames/evenI420Frame.ts';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import { giveFrameBuffer } from '../frames/givenFrameBuffers.ts';
import { compositeFrame } from '../kernels/compositeFrame.ts';
import { readVerifiedFile } from '../models/ModelFile.ts';
import type { VerifiedModelRef } from '../models/VerifiedModelRef.ts';
import { type ExecutionProviderName, selectExecutionProvider } from '../onnx/executionProviders.ts';
import type { OnnxSessionOptions } from '../onnx/OnnxSession.ts';
import { InvalidWorkflowError, WorkflowRunError } from './errors.ts';
import { type SizeFn, type SizePx, sameSize } from './GraphImage.ts';
import type { NodeRegistry } from './NodeRegistry.ts';
import {
  buildOnnxStep,
  closeStep,
  computeFeeds,
  fetchNames,
  keyOf,
  type OnnxStep,
  planRuns,
  prepareJsStep,
  type Step,
  type ValueKey,
} from './planSteps.ts';
import { dependenciesOf, type ValidatedWorkflow, validateWorkflow } from './validateWorkflow.ts';
import type { NodeEnvironment, NodeLiterals, RuntimeValue, Workflow } from './WorkflowTypes.ts';

export type WorkflowPlanOptions = {
  /** Node types the workflow may use. Required: usually `defaultNodeRegistry()`. */
  registry: NodeRegistry;
  /** The pipeline's model files by name, for nodes that read them (`readModel`). Default none. */
  models?: Readonly<Record<string, VerifiedModelRef>>;
  /**
   * Keep consecutive ONNX nodes in one session even when they ask for different graph
   * optimisation levels. Default: on a GPU provider yes (its tensors then stay on the device; the
   * levels matter for CPU layouts only), on CPU no (each run gets its best level).
   */
  fuseOptimizationLevels?: boolean;
  /**
   * Composite a low-resolution image (a blur) under the frame by a mask outside the graph, in
   * WebAssembly SIMD (`UpsampledComposite`: the same pixels within 1 level, about a quarter of
   * the CPU). Default: on the CPU provider yes; on a GPU provider no (the frame stays on the
   * device, in the graph).
   */
  compositesOutside?: boolean;
  /** Options of every ONNX session the plan creates. Default: one intra-op thread, CPU. */
  sessionOptions?: OnnxSessionOptions;
  logger?: Logger;
};

/** One intra-op thread: plans share a small machine with WebRTC. */
export const defaultWorkflowSessionOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 1,
} as const satisfies OnnxSessionOptions;

/**
 * Time spent in a plan's parts, accumulated over `run` calls (milliseconds): ONNX sessions, and
 * JS nodes with the composites done outside the graph.
 */
export type WorkflowRunStats = { onnxMs: number; jsNodeMs: number };

/** Float YUV images between ONNX steps: luma `[1, 1, H, W]`, chroma `[1, 2, H/2, W/2]`. */
type FloatImages = Map<ValueKey, { luma: ort.Tensor; chroma: ort.Tensor }>;

/**
 * A workflow compiled once into steps, run per frame: each run of consecutive ONNX nodes (in
 * execution order) is one ONNX graph, hence one session — LoadTensor's planes in, SaveTensor's
 * planes out, with every image conversion in between done inside the graph — and each JS node
 * (face detection, drawing) runs on the values in between. Values cross steps as I420 frames
 * (images) or tensors (masks).
 *
 * Literals read while building (`literal()`) shape the graph: a change rebuilds the plan. Literals
 * fed as graph inputs (`feed()`) and the literals of JS nodes change live with `setLiterals()`.
 */
export class WorkflowPlan {
  readonly workflow: ValidatedWorkflow;
  readonly #steps: readonly Step[];
  /** Shared by the plans `withLiterals()` derives: they share the sessions. */
  readonly #resources: { closed: boolean };
  readonly #literals: ReadonlyMap<string, NodeLiterals>;
  /** Feeds of each ONNX step, computed from this plan's literals. */
  readonly #feeds: ReadonlyMap<OnnxStep, Record<string, ort.Tensor>>;
  /** Literals each node read at build time: a change in one of these needs a new plan. */
  readonly #structural: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #sizes: ReadonlyMap<ValueKey, SizeFn>;
  readonly #outputKey: ValueKey;
  /**
   * Whether the output frame's buffer is made for it alone, each run: an ONNX step's image that
   * no JS node sees (one could keep it). Such buffers are given to the caller (`giveFrameBuffer`).
   */
  readonly #outputGiven: boolean;

  private constructor(
    workflow: ValidatedWorkflow,
    steps: readonly Step[],
    structural: ReadonlyMap<string, ReadonlySet<string>>,
    sizes: ReadonlyMap<ValueKey, SizeFn>,
    resources: { closed: boolean },
  ) {
    this.workflow = workflow;
    this.#steps = steps;
    this.#structural = structural;
    this.#sizes = sizes;
    this.#resources = resources;
    this.#literals = new Map([...workflow.nodes].map(([id, node]) => [id, node.literals]));
    const literalsOf = (id: string) => workflow.nodes.get(id)?.literals ?? {};
    this.#feeds = new Map(
      steps.flatMap((step) =>
        step.kind === 'onnx' ? [[step, computeFeeds(step.feedSpecs, literalsOf)] as const] : [],
      ),
    );
    const output = workflow.nodes.get(workflow.outputNodeId);
    const source = output?.links.images;
    this.#outputKey = source === undefined ? '' : keyOf(source.nodeId, source.outputIndex);
    const outputKey = this.#outputKey;
    this.#outputGiven =
      steps.some(
        (step) =>
          step.kind === 'onnx' &&
          step.outputs.some(
            (out) =>
              out.key === outputKey && (out.type === 'IMAGE' || out.type === 'IMAGE_COMPOSITE'),
          ),
      ) &&
      !steps.some((step) => step.kind === 'js' && Object.values(step.inputs).includes(outputKey));
  }

  /**
   * Validates the workflow (`InvalidWorkflowError` with every problem), loads what its nodes need,
   * builds one ONNX graph per run of ONNX nodes and creates their sessions.
   */
  static async compile(
    workflow: Workflow | unknown,
    options: WorkflowPlanOptions,
  ): Promise<WorkflowPlan> {
    const validated = validateWorkflow(workflow, options.registry);
    const logger = (options.logger ?? createLogger('pipelines')).child({ name: 'workflow-plan' });
    const sessionOptions = { ...defaultWorkflowSessionOptions, ...options.sessionOptions, logger };
    // Where the sessions will run decides how nodes are grouped into sessions (see planRuns).
    const { executionProvider } = await selectExecutionProvider(
      sessionOptions.executionProviders ?? sessionOptions.executionProvider,
    );
    const steps: Step[] = [];
    const structural = new Map<string, Set<string>>();
    const sizes = new Map<ValueKey, SizeFn>([[keyOf(validated.inputNodeId, 0), sameSize]]);
    /** Images earlier ONNX steps export as float YUV for later ONNX steps. */
    const floatImages = new Set<ValueKey>();
    try {
      // Consumers of each value, to know which values leave a step.
      const consumers = new Map<ValueKey, Set<string>>();
      for (const id of validated.order) {
        for (const link of dependenciesOf(validated.nodes.get(id))) {
          const key = keyOf(link.nodeId, link.outputIndex);
          const set = consumers.get(key) ?? new Set();
          set.add(id);
          consumers.set(key, set);
        }
      }
      const environment: NodeEnvironment = {
        sessionOptions,
        logger,
        readModel: (name) => readPipelineModel(options.models ?? {}, name),
      };
      const fuse = options.fuseOptimizationLevels ?? executionProvider !== 'cpu';
      for (const run of planRuns(validated, !fuse)) {
        if (run.kind === 'js') {
          const step = await prepareJsStep(validated, run.ids[0] as string, sizes, environment);
          steps.push(step);
          structural.set(step.nodeId, new Set(step.structuralLiterals));
          continue;
        }
        steps.push(
          await buildOnnxStep(
            validated,
            run.ids,
            consumers,
            sizes,
            floatImages,
            structural,
            environment,
            {
              gpuOutputs: executionProvider === 'webgpu',
              compositesOutside: options.compositesOutside ?? executionProvider === 'cpu',
            },
          ),
        );
      }
    } catch (error) {
      await Promise.allSettled(steps.map(closeStep));
      throw error;
    }
    logger.debug(
      { steps: steps.map((step) => (step.kind === 'onnx' ? step.nodeIds : [step.nodeId])) },
      'workflow compiled',
    );
    return new WorkflowPlan(validated, steps, structural, sizes, { closed: false });
  }

  /** Node ids by step, in run order: `onnx` steps are one session each. */
  get steps(): readonly { readonly kind: 'onnx' | 'js'; readonly nodeIds: readonly string[] }[] {
    return this.#steps.map((step) =>
      step.kind === 'onnx'
        ? { kind: 'onnx', nodeIds: step.nodeIds }
        : { kind: 'js', nodeIds: [step.nodeId] },
    );
  }

  /** The nodes whose image the plan composites outside the graph (`compositesOutside`). */
  get compositedOutside(): readonly string[] {
    return this.#steps.flatMap((step) =>
      step.kind === 'onnx'
        ? step.outputs.flatMap((out) =>
            out.type === 'IMAGE_COMPOSITE' ? [out.key.split(':')[0] as string] : [],
          )
        : [],
    );
  }

  /**
   * The execution providers the plan's sessions run on (each once, in step order); empty for a
   * plan without sessions.
   */
  get executionProviders(): readonly ExecutionProviderName[] {
    const providers = this.#steps.flatMap((step) =>
      step.kind === 'onnx'
        ? [step.session.executionProvider]
        : (step.instance.executionProviders ?? []),
    );
    return [...new Set(providers)];
  }

  /** The output frame's size for an input of `input` size. */
  outputSize(input: SizePx): SizePx {
    return (this.#sizes.get(this.#outputKey) ?? sameSize)(input);
  }

  /**
   * Whether `next` (the same workflow with other literals) can be applied to this plan live:
   * same nodes and links, and no literal that shaped a graph changed.
   */
  canApplyLive(next: ValidatedWorkflow): boolean {
    if (next.order.join() !== this.workflow.order.join()) return false;
    for (const [id, node] of this.workflow.nodes) {
      const other = next.nodes.get(id);
      if (other === undefined || other.definition !== node.definition) return false;
      if (JSON.stringify(other.links) !== JSON.stringify(node.links)) return false;
      if (JSON.stringify(other.scalarLinks) !== JSON.stringify(node.scalarLinks)) return false;
      for (const name of this.#structural.get(id) ?? []) {
        if (other.literals[name] !== node.literals[name]) return false;
      }
    }
    return true;
  }

  /**
   * A plan for `next` (see `canApplyLive`) sharing this plan's sessions: its feeds and JS-node
   * literals are `next`'s. Either may run frames; closing either closes the shared sessions.
   */
  withLiterals(next: ValidatedWorkflow): WorkflowPlan {
    return new WorkflowPlan(next, this.#steps, this.#structural, this.#sizes, this.#resources);
  }

  /** Whether the two plans share sessions (one was derived from the other by `withLiterals`). */
  sharesSessionsWith(other: WorkflowPlan): boolean {
    return other.#resources === this.#resources;
  }

  /**
   * Runs the plan on one I420 frame (any size; see below for odd ones); the result keeps the
   * frame's `timestampUs`. Its buffer is given to the caller (`giveFrameBuffer`) when the plan
   * made it for this frame alone. With `stats`,
   * adds the time spent inside ONNX sessions and inside JS nodes (the rest is the plan's own
   * overhead: tensors, buffers, bookkeeping).
   */
  async run(input: Frame, stats?: WorkflowRunStats): Promise<Frame> {
    // I420 halves the chroma planes: an odd-sized frame runs as the next even size (its last
    // column or row repeated) and an output of that size is cropped back.
    const frame = this.#steps.length === 0 ? input : padI420ToEven(input);
    const output = await this.#runEven(frame, stats);
    if (frame === input || output.widthPx !== frame.widthPx || output.heightPx !== frame.heightPx) {
      return this.#outputGiven ? giveFrameBuffer(output) : output;
    }
    return giveFrameBuffer(cropI420FromEven(output, input.widthPx, input.heightPx));
  }

  async #runEven(frame: Frame, stats: WorkflowRunStats | undefined): Promise<Frame> {
    const values = new Map<ValueKey, RuntimeValue>();
    const floats: FloatImages = new Map();
    values.set(keyOf(this.workflow.inputNodeId, 0), { type: 'IMAGE', frame });
    const inputSize = { widthPx: frame.widthPx, heightPx: frame.heightPx };
    for (const step of this.#steps) {
      try {
        if (step.kind === 'onnx') {
          await this.#runOnnx(step, values, floats, inputSize, frame.timestampUs, stats);
        } else {
          const inputs = Object.fromEntries(
            Object.entries(step.inputs).map(([name, key]) => [name, values.get(key)]),
          );
          const started = stats === undefined ? 0 : performance.now();
          const outputs = await step.instance.run(inputs, this.#literals.get(step.nodeId) ?? {});
          if (stats !== undefined) stats.jsNodeMs += performance.now() - started;
          for (const [index, value] of outputs.entries())
            values.set(keyOf(step.nodeId, index), value);
        }
      } catch (error) {
        throw new WorkflowRunError(step.kind === 'onnx' ? step.nodeIds : [step.nodeId], error);
      }
    }
    // Tensors left on the GPU between sessions are released with the frame.
    for (const image of floats.values()) {
      for (const tensor of [image.luma, image.chroma])
        if (tensor.location === 'gpu-buffer') tensor.dispose();
    }
    for (const value of values.values()) {
      if ('tensor' in value && value.tensor.location === 'gpu-buffer') value.tensor.dispose();
    }
    const output = values.get(this.#outputKey);
    if (output?.type !== 'IMAGE') {
      throw new WorkflowRunError([this.workflow.outputNodeId], 'the output image is missing');
    }
    return output.frame.timestampUs === frame.timestampUs
      ? output.frame
      : { ...output.frame, timestampUs: frame.timestampUs };
  }

  async #runOnnx(
    step: OnnxStep,
    values: Map<ValueKey, RuntimeValue>,
    floats: FloatImages,
    inputSize: SizePx,
    timestampUs: number,
    stats: WorkflowRunStats | undefined,
  ): Promise<void> {
    const feeds: Record<string, ort.Tensor> = { ...this.#feeds.get(step) };
    for (const feed of step.frameFeeds) feeds[feed.name] = feed.compute(inputSize);
    for (const input of step.inputs) {
      if (input.type === 'IMAGE_YUV') {
        const image = floats.get(input.key);
        if (image === undefined) throw new Error(`value ${input.key} is missing`);
        feeds[input.luma] = image.luma;
        feeds[input.chroma] = image.chroma;
        continue;
      }
      const value = values.get(input.key);
      if (input.type === 'IMAGE') {
        if (value?.type !== 'IMAGE') throw new Error(`value ${input.key} is not an image`);
        const { widthPx, heightPx } = value.frame;
        const planes = i420Planes(value.frame);
        feeds[input.y] = new ort.Tensor('uint8', planes.y, [heightPx, widthPx]);
        feeds[input.u] = new ort.Tensor('uint8', planes.u, [heightPx / 2, widthPx / 2]);
        feeds[input.v] = new ort.Tensor('uint8', planes.v, [heightPx / 2, widthPx / 2]);
      } else {
        if (value === undefined || !('tensor' in value))
          throw new Error(`value ${input.key} is missing`);
        feeds[input.name] = value.tensor;
      }
    }
    // Images are written by onnxruntime straight into new frames' buffers.
    const fetches: Record<string, ort.Tensor> = {};
    const frames = new Map<ValueKey, Frame>();
    for (const output of step.outputs) {
      if (output.type !== 'IMAGE') continue;
      const { widthPx, heightPx } = (this.#sizes.get(output.key) ?? sameSize)(inputSize);
      const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
      const frame: Frame = { widthPx, heightPx, format: 'i420', data, timestampUs };
      const planes = i420Planes(frame);
      fetches[output.y] = new ort.Tensor('uint8', planes.y, [heightPx, widthPx]);
      fetches[output.u] = new ort.Tensor('uint8', planes.u, [heightPx / 2, widthPx / 2]);
      fetches[output.v] = new ort.Tensor('uint8', planes.v, [heightPx / 2, widthPx / 2]);
      frames.set(output.key, frame);
    }
    const others = step.outputs.filter((output) => output.type !== 'IMAGE');
    // With outputs bound on the GPU, onnxruntime allocates every output (no pre-allocated ones):
    // the image planes are then copied into the frames.
    const ioBinding = step.session.gpuOutputs.size > 0;
    const started = stats === undefined ? 0 : performance.now();
    const results =
      others.length === 0 && !ioBinding
        ? await step.session.run(feeds, fetches)
        : await step.session.run(feeds, {
            ...(ioBinding ? {} : fetches),
            ...Object.fromEntries(
              (ioBinding ? step.outputs : others).flatMap(fetchNames).map((name) => [name, null]),
            ),
          } as never);
    if (stats !== undefined) stats.onnxMs += performance.now() - started;
    for (const output of step.outputs) {
      if (output.type === 'IMAGE') {
        const frame = frames.get(output.key) as Frame;
        if (ioBinding) {
          const planes = i420Planes(frame);
          planes.y.set((results[output.y] as ort.Tensor).data as Uint8Array);
          planes.u.set((results[output.u] as ort.Tensor).data as Uint8Array);
          planes.v.set((results[output.v] as ort.Tensor).data as Uint8Array);
        }
        values.set(output.key, { type: 'IMAGE', frame });
      } else if (output.type === 'IMAGE_COMPOSITE') {
        const started = stats === undefined ? 0 : performance.now();
        const over = values.get(output.over);
        if (over?.type !== 'IMAGE') throw new Error(`value ${output.over} is not an image`);
        const size = (this.#sizes.get(output.key) ?? sameSize)(inputSize);
        const tensor = (name: string) => results[name] as ort.Tensor;
        const frame = compositeFrame(
          size,
          over.frame,
          tensor(output.underLuma),
          tensor(output.underChroma),
          tensor(output.mask),
          timestampUs,
        );
        values.set(output.key, { type: 'IMAGE', frame });
        if (stats !== undefined) stats.jsNodeMs += performance.now() - started;
      } else if (output.type === 'IMAGE_YUV') {
        const luma = results[output.luma] as ort.Tensor;
        floats.set(output.key, { luma, chroma: results[output.chroma] as ort.Tensor });
      } else {
        values.set(output.key, { type: output.type, tensor: results[output.name] as ort.Tensor });
      }
    }
  }

  /** Releases every session. Idempotent. */
  async close(): Promise<void> {
    if (this.#resources.closed) return;
    this.#resources.closed = true;
    await Promise.allSettled(this.#steps.map(closeStep));
  }
}

/** A model of the pipeline by name, its sha256 checked (see `NodeLoadContext.readModel`). */
async function readPipelineModel(
  models: Readonly<Record<string, VerifiedModelRef>>,
  name: string,
): Promise<Uint8Array> {
  const ref = Object.hasOwn(models, name) ? models[name] : undefined;
  if (ref === undefined) {
    const known = Object.keys(models).join(', ') || 'none';
    throw new InvalidWorkflowError([
      {
        code: 'literal_out_of_range',
        message: `The pipeline has no model "${name}"; its models: ${known}`,
      },
    ]);
  }
  return (await readVerifiedFile(ref.path, ref.sha256)).bytes;
}
