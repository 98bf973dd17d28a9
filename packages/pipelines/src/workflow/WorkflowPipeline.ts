import { createLogger, type Logger } from '@peerframe/core';
import {
  defaultPipelineParams,
  type ExecutionProviderName,
  InvalidPipelineParamsError,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  validatePipelineParams,
} from '@peerframe/wire';
import { assertI420Frame } from '../frames/assertI420Frame.ts';
import { type Frame, i420ByteLength } from '../frames/Frame.ts';
import type { VerifiedModelRef } from '../models/VerifiedModelRef.ts';
import type { OnnxSessionOptions } from '../onnx/OnnxSession.ts';
import { PipelineClosedError } from '../pipeline/errors.ts';
import { LiveStage } from '../pipeline/LiveStage.ts';
import type {
  Pipeline,
  PipelineCreateHooks,
  PipelineDescriptor,
  PipelineParams,
  PipelineState,
} from '../pipeline/Pipeline.ts';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { InvalidWorkflowError } from './errors.ts';
import type { NodeRegistry } from './NodeRegistry.ts';
import { validateWorkflow } from './validateWorkflow.ts';
import { WorkflowPlan } from './WorkflowPlan.ts';
import type { Workflow, WorkflowNode } from './WorkflowTypes.ts';

/**
 * Where a pipeline param goes: literal inputs of workflow nodes, as `[nodeId, inputName]`, or
 * `[nodeId, inputName, scale]` for a number param written multiplied by `scale` (a blur radius
 * param that sets a node's sigma: `["4", "sigma", 0.5]`).
 */
export type WorkflowParamBinding = readonly [string, string] | readonly [string, string, number];
export type WorkflowParamBindings = Readonly<Record<string, readonly WorkflowParamBinding[]>>;

/** A workflow packaged as a named pipeline with its params. */
export type WorkflowPipelineDefinition = {
  readonly name: string;
  readonly description: string;
  /**
   * The workflow; or a function of the (validated) params that returns it, for pipelines whose
   * params change the graph itself (then `bindings` is not needed).
   */
  readonly workflow: Workflow | ((params: PipelineParamsOf<PipelineParamsSchema>) => Workflow);
  /** The pipeline's params (default: none). */
  readonly paramsSchema?: PipelineParamsSchema;
  /** Which node inputs each param sets. Every param needs at least one target. */
  readonly bindings?: WorkflowParamBindings;
  /**
   * `merge` (default): `update()` applies the params given over the current ones; `replace`: the
   * params given are the whole set, the others back at their defaults.
   */
  readonly paramUpdates?: 'merge' | 'replace';
};

export type WorkflowPipelineOptions = {
  /** Node types. Default `defaultNodeRegistry()`. */
  registry?: NodeRegistry;
  /** ONNX session options. Default one intra-op thread on CPU. */
  sessionOptions?: OnnxSessionOptions;
  /** The pipeline's model files, for nodes that read them (`readModel`). Default none. */
  models?: Readonly<Record<string, VerifiedModelRef>>;
  /** Frames run through a new plan before it is used. Default 3. */
  warmupFrames?: number;
  /** Size of the warmup frames. Default 256 × 256. */
  warmupSizePx?: { widthPx: number; heightPx: number };
  logger?: Logger;
};

export const defaultWorkflowPipelineOptions = {
  warmupFrames: 3,
  warmupSizePx: { widthPx: 256, heightPx: 256 },
} as const;

/** The workflow a definition gives for `params`. */
export function workflowFor(
  definition: WorkflowPipelineDefinition,
  params: PipelineParamsOf<PipelineParamsSchema>,
): Workflow {
  return typeof definition.workflow === 'function'
    ? definition.workflow(params)
    : applyWorkflowParams(definition.workflow, definition.bindings ?? {}, params);
}

/** The workflow with `params` written into the bound node inputs. */
export function applyWorkflowParams(
  workflow: Workflow,
  bindings: WorkflowParamBindings,
  params: Readonly<Record<string, unknown>>,
): Workflow {
  const nodes: Record<string, WorkflowNode> = {};
  for (const [id, node] of Object.entries(workflow))
    nodes[id] = { ...node, inputs: { ...node.inputs } };
  for (const [param, targets] of Object.entries(bindings)) {
    if (!Object.hasOwn(params, param)) continue;
    for (const [nodeId, input, scale] of targets) {
      const node = nodes[nodeId];
      if (node === undefined) continue;
      const value = params[param];
      const written = scale !== undefined && typeof value === 'number' ? value * scale : value;
      nodes[nodeId] = { ...node, inputs: { ...node.inputs, [input]: written } };
    }
  }
  return nodes;
}

/**
 * A definition's params for `params` (a full set: defaults filled in), after checking that every
 * param of its schema is bound to a node input (`InvalidWorkflowError`) and that `params` fit the
 * schema (`InvalidPipelineParamsError` naming the field and its limit).
 */
export function resolveWorkflowParams(
  definition: WorkflowPipelineDefinition,
  params: PipelineParams,
): PipelineParamsOf<PipelineParamsSchema> {
  const schema = definition.paramsSchema ?? {};
  for (const name of Object.keys(schema)) {
    if (
      typeof definition.workflow !== 'function' &&
      (definition.bindings?.[name]?.length ?? 0) === 0
    ) {
      throw new InvalidWorkflowError([
        { code: 'missing_input', message: `Pipeline param "${name}" is bound to no node input` },
      ]);
    }
  }
  return validatePipelineParams(definition.name, schema, params, defaultPipelineParams(schema));
}

/**
 * The workflow new params make, validated by `validate`; a workflow they make invalid is the
 * params' fault: `InvalidPipelineParamsError` (with the workflow's issues as details).
 */
export function validateParamsWorkflow<W>(pipelineName: string, validate: () => W): W {
  try {
    return validate();
  } catch (error) {
    throw error instanceof InvalidWorkflowError
      ? new InvalidPipelineParamsError(
          `The ${pipelineName} params make an invalid workflow: ${error.summary ?? error.issues.map((i) => i.message).join('; ')}`,
          { details: error.details, cause: error },
        )
      : error;
  }
}

/**
 * Runs a workflow as a `Pipeline`: compiled once into a `WorkflowPlan`, warmed on a few grey
 * frames, then one plan run per frame. `update()` validates params against the schema, writes
 * them into the bound node inputs and applies them between two frames: live (new feeds) when
 * only fed literals changed, else a new plan is compiled and warmed first and swapped in (frames
 * go on with the old plan meanwhile).
 */
export class WorkflowPipeline implements Pipeline {
  /** A registry entry for a workflow pipeline. */
  static descriptor(
    definition: WorkflowPipelineDefinition,
    options: WorkflowPipelineOptions = {},
  ): PipelineDescriptor {
    return {
      name: definition.name,
      description: definition.description,
      paramsSchema: definition.paramsSchema ?? {},
      create: (params, hooks) => WorkflowPipeline.create(definition, options, params, hooks),
    };
  }

  readonly name: string;
  readonly #definition: WorkflowPipelineDefinition;
  readonly #options: WorkflowPipelineOptions;
  readonly #logger: Logger;
  readonly #stage: LiveStage<Stage>;

  private constructor(
    definition: WorkflowPipelineDefinition,
    options: WorkflowPipelineOptions,
    logger: Logger,
    stage: Stage,
  ) {
    this.name = definition.name;
    this.#definition = definition;
    this.#options = options;
    this.#logger = logger;
    this.#stage = new LiveStage(stage, async (retired, successor) => {
      if (successor === undefined || !retired.plan.sharesSessionsWith(successor.plan)) {
        await retired.plan.close();
      }
    });
  }

  /**
   * Validates params and workflow (`InvalidPipelineParamsError`, `InvalidWorkflowError` with every
   * problem), compiles the plan and warms it up before resolving.
   */
  static async create(
    definition: WorkflowPipelineDefinition,
    options: WorkflowPipelineOptions = {},
    params: PipelineParams = {},
    hooks: PipelineCreateHooks = {},
  ): Promise<WorkflowPipeline> {
    const resolved = resolveWorkflowParams(definition, params);
    const logger = (options.logger ?? createLogger('pipelines')).child({
      pipeline: definition.name,
    });
    hooks.onState?.('loading');
    const plan = await compileWarm(definition, options, resolved, logger, hooks);
    const pipeline = new WorkflowPipeline(definition, options, logger, { plan, params: resolved });
    logger.debug({ params: resolved, steps: plan.steps }, 'ready');
    return pipeline;
  }

  get state(): PipelineState {
    return this.#stage.closed ? 'closed' : 'ready';
  }

  /** The params frames are processed with now. */
  get params(): PipelineParamsOf<PipelineParamsSchema> {
    return this.#stage.current.params;
  }

  /** The execution providers of the plan frames run on now. */
  get executionProviders(): readonly ExecutionProviderName[] {
    return this.#stage.current.plan.executionProviders;
  }

  /** The plan frames run on now (steps, sizes). */
  get plan(): WorkflowPlan {
    return this.#stage.current.plan;
  }

  /**
   * The processed frame (its size is the workflow's output size), same `timestampUs`. An odd-sized
   * frame runs as the next even size and comes back at its own size (see `WorkflowPlan.run`).
   */
  async process(frame: Frame): Promise<Frame> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    assertI420Frame(frame);
    return this.#stage.run((stage) => stage.plan.run(frame));
  }

  /**
   * Validates `params` (a partial set) and applies them between two frames: live when only fed
   * literals change, else a new plan is compiled and warmed while frames go on with the old one.
   */
  async update(params: PipelineParams): Promise<void> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    const schema = this.#definition.paramsSchema ?? {};
    const replace = this.#definition.paramUpdates === 'replace';
    await this.#stage.update(
      (base) =>
        validatePipelineParams(
          this.name,
          schema,
          params,
          replace ? defaultPipelineParams(schema) : base,
        ),
      (current, next) => this.#build(current, next),
    );
  }

  /** Waits for updates and frames in flight, then releases the plan. Idempotent. */
  async close(): Promise<void> {
    if (this.#stage.closed) return;
    await this.#stage.close();
    this.#logger.debug('closed');
  }

  async #build(current: Stage, next: PipelineParamsOf<PipelineParamsSchema>): Promise<Stage> {
    const registry = this.#options.registry ?? defaultNodeRegistry();
    const validated = validateParamsWorkflow(this.name, () =>
      validateWorkflow(workflowFor(this.#definition, next), registry),
    );
    if (current.plan.canApplyLive(validated)) {
      this.#logger.debug({ params: next }, 'params applied live');
      return { plan: current.plan.withLiterals(validated), params: next };
    }
    const plan = await compileWarm(this.#definition, this.#options, next, this.#logger);
    this.#logger.debug({ params: next }, 'params applied with a new plan');
    return { plan, params: next };
  }
}

/** The plan and params one frame runs with. */
type Stage = {
  readonly plan: WorkflowPlan;
  readonly params: PipelineParamsOf<PipelineParamsSchema>;
};

async function compileWarm(
  definition: WorkflowPipelineDefinition,
  options: WorkflowPipelineOptions,
  params: PipelineParamsOf<PipelineParamsSchema>,
  logger: Logger,
  hooks: PipelineCreateHooks = {},
): Promise<WorkflowPlan> {
  const workflow = workflowFor(definition, params);
  const plan = await WorkflowPlan.compile(workflow, {
    registry: options.registry ?? defaultNodeRegistry(),
    ...(options.sessionOptions === undefined ? {} : { sessionOptions: options.sessionOptions }),
    ...(options.models === undefined ? {} : { models: options.models }),
    logger,
  });
  hooks.onState?.('warming');
  try {
    const { warmupFrames, warmupSizePx } = { ...defaultWorkflowPipelineOptions, ...options };
    for (let i = 0; i < warmupFrames; i++) await plan.run(greyFrame(warmupSizePx, i));
  } catch (error) {
    await plan.close();
    throw error;
  }
  return plan;
}

/** A mid-grey frame with a little texture (so warmup exercises real code paths). */
function greyFrame(size: { widthPx: number; heightPx: number }, seed: number): Frame {
  const { widthPx, heightPx } = size;
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx)).fill(128);
  for (let i = 0; i < widthPx * heightPx; i++) data[i] = 64 + ((i * 7 + seed * 13) % 128);
  return { widthPx, heightPx, format: 'i420', data, timestampUs: seed };
}
