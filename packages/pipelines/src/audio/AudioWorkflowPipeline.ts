import { createLogger, type Logger } from '@peerframe/core';
import {
  type PipelineParamsOf,
  type PipelineParamsSchema,
  validatePipelineParams,
} from '@peerframe/wire';
import { type AudioFrame, type AudioFrameF32, opusSampleRateHz } from '../frames/AudioFrame.ts';
import { assertAudioFrame } from '../frames/assertAudioFrame.ts';
import { audioFrameInFormat, audioFrameToF32 } from '../frames/convertAudioFrame.ts';
import type { AudioPipeline } from '../pipeline/AudioPipeline.ts';
import { InvalidFrameError, PipelineClosedError } from '../pipeline/errors.ts';
import { LiveStage } from '../pipeline/LiveStage.ts';
import type { PipelineCreateHooks, PipelineParams, PipelineState } from '../pipeline/Pipeline.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import type { NodeRegistry } from '../workflow/NodeRegistry.ts';
import { audioWorkflowIo, validateWorkflow } from '../workflow/validateWorkflow.ts';
import {
  resolveWorkflowParams,
  validateParamsWorkflow,
  type WorkflowPipelineDefinition,
  workflowFor,
} from '../workflow/WorkflowPipeline.ts';
import { AudioWorkflowPlan } from './AudioWorkflowPlan.ts';

export type AudioWorkflowPipelineOptions = {
  /** Node types. Default `defaultNodeRegistry()`. */
  registry?: NodeRegistry;
  /**
   * 10 ms frames of quiet noise run through a throwaway plan before the pipeline is ready (so
   * the JIT and the WebAssembly tiers are warm; the stream's own nodes start clean). Default 20.
   */
  warmupFrames?: number;
  logger?: Logger;
};

export const defaultAudioWorkflowPipelineOptions = { warmupFrames: 20 } as const;

type Params = PipelineParamsOf<PipelineParamsSchema>;
type Stage = { readonly plan: AudioWorkflowPlan; readonly params: Params };

/**
 * Runs the audio half of a workflow as an `AudioPipeline`: frames of any format are checked
 * (`InvalidFrameError`), processed as float, and answered in their own format. `update()`
 * validates params, writes them into the bound node inputs and applies them between two frames:
 * on the same node instances (the stream's state kept) unless a structural literal changed, in
 * which case a new plan is built and swapped in.
 */
export class AudioWorkflowPipeline implements AudioPipeline {
  readonly name: string;
  readonly #definition: WorkflowPipelineDefinition;
  readonly #registry: NodeRegistry;
  readonly #logger: Logger;
  readonly #stage: LiveStage<Stage>;
  /** The stream's sample rate, once a frame came (latency is reported at it). */
  #sampleRateHz = opusSampleRateHz;

  private constructor(
    definition: WorkflowPipelineDefinition,
    registry: NodeRegistry,
    logger: Logger,
    stage: Stage,
  ) {
    this.name = definition.name;
    this.#definition = definition;
    this.#registry = registry;
    this.#logger = logger;
    this.#stage = new LiveStage(stage, async (retired, successor) => {
      if (successor === undefined || !retired.plan.sharesNodesWith(successor.plan)) {
        await retired.plan.close();
      }
    });
  }

  /**
   * Validates params and the workflow's audio half (`InvalidPipelineParamsError`,
   * `InvalidWorkflowError` with every problem), warms the nodes on a throwaway plan, and builds
   * the stream's plan.
   */
  static async create(
    definition: WorkflowPipelineDefinition,
    options: AudioWorkflowPipelineOptions = {},
    params: PipelineParams = {},
    hooks: PipelineCreateHooks = {},
  ): Promise<AudioWorkflowPipeline> {
    const resolved = resolveWorkflowParams(definition, params);
    const logger = (options.logger ?? createLogger('pipelines')).child({
      pipeline: definition.name,
      media: 'audio',
    });
    const registry = options.registry ?? defaultNodeRegistry();
    const workflow = workflowFor(definition, resolved);
    hooks.onState?.('loading');
    const warm = await AudioWorkflowPlan.compile(workflow, { registry, logger });
    hooks.onState?.('warming');
    try {
      const frames = options.warmupFrames ?? defaultAudioWorkflowPipelineOptions.warmupFrames;
      const rate = warm.sampleRatesHz?.[0] ?? opusSampleRateHz;
      for (let i = 0; i < frames; i++) await warm.run(quietNoise(rate, i));
    } finally {
      await warm.close();
    }
    const plan = await AudioWorkflowPlan.compile(workflow, { registry, logger });
    logger.debug({ params: resolved, steps: plan.steps }, 'ready');
    return new AudioWorkflowPipeline(definition, registry, logger, { plan, params: resolved });
  }

  get state(): PipelineState {
    return this.#stage.closed ? 'closed' : 'ready';
  }

  /** The params frames are processed with now. */
  get params(): Params {
    return this.#stage.current.params;
  }

  /** The plan frames run on now. */
  get plan(): AudioWorkflowPlan {
    return this.#stage.current.plan;
  }

  get latencyUs(): number {
    const samples = this.#stage.current.plan.latencySamples(this.#sampleRateHz);
    return (samples * 1_000_000) / this.#sampleRateHz;
  }

  /**
   * The processed frame: same rate, channels, format, length and `timestampUs`. Malformed frames
   * and rates a node does not take are refused with `InvalidFrameError`.
   */
  async process(frame: AudioFrame): Promise<AudioFrame> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    assertAudioFrame(frame);
    const rates = this.#stage.current.plan.sampleRatesHz;
    if (rates !== undefined && !rates.includes(frame.sampleRateHz)) {
      throw new InvalidFrameError(
        `The ${this.name} pipeline takes ${rates.join(' or ') || 'no'} Hz audio; got ${frame.sampleRateHz} Hz`,
        { details: 'sampleRateHz must be one its nodes take (RNNoise: 48000)' },
      );
    }
    this.#sampleRateHz = frame.sampleRateHz;
    const out = await this.#stage.run((stage) => stage.plan.run(audioFrameToF32(frame)));
    return audioFrameInFormat(out, frame.format);
  }

  /** Validates `params` (a partial set) and applies them between two frames. */
  async update(params: PipelineParams): Promise<void> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    const schema = this.#definition.paramsSchema ?? {};
    await this.#stage.update(
      (base) => validatePipelineParams(this.name, schema, params, base),
      (current, next) => this.#build(current, next),
    );
  }

  /** Waits for updates and frames in flight, then frees the nodes' state. Idempotent. */
  async close(): Promise<void> {
    if (this.#stage.closed) return;
    await this.#stage.close();
    this.#logger.debug('closed');
  }

  async #build(current: Stage, next: Params): Promise<Stage> {
    const validated = validateParamsWorkflow(this.name, () =>
      validateWorkflow(workflowFor(this.#definition, next), this.#registry, audioWorkflowIo),
    );
    if (current.plan.canApplyLive(validated)) {
      this.#logger.debug({ params: next }, 'params applied live');
      return { plan: current.plan.withLiterals(validated), params: next };
    }
    const plan = await AudioWorkflowPlan.compile(workflowFor(this.#definition, next), {
      registry: this.#registry,
      logger: this.#logger,
    });
    this.#logger.debug({ params: next }, 'params applied with a new plan');
    return { plan, params: next };
  }
}

/** 10 ms of mono noise at −40 dBFS (deterministic): warmup input. */
function quietNoise(sampleRateHz: number, seed: number): AudioFrameF32 {
  const data = new Float32Array(sampleRateHz / 100);
  let state = seed + 1;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    data[i] = (state / 2 ** 32 - 0.5) * 0.02;
  }
  return { sampleRateHz, channels: 1, format: 'f32', data, timestampUs: seed * 10_000 };
}
