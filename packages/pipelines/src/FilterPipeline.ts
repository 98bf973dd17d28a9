import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import { assertI420Frame } from './assertI420Frame.ts';
import { PipelineClosedError } from './errors.ts';
import { type Frame, i420ByteLength, i420Planes } from './Frame.ts';
import { filterGraphNames } from './graphs/i420GraphIo.ts';
import { LiveStage } from './LiveStage.ts';
import { OnnxSession, type OnnxSessionOptions, type OnnxTensors } from './onnx/OnnxSession.ts';
import type {
  Pipeline,
  PipelineCreateHooks,
  PipelineDescriptor,
  PipelineParams,
  PipelineState,
} from './Pipeline.ts';
import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  validatePipelineParams,
} from './PipelineParamsSchema.ts';

/**
 * A procedural I420 → I420 filter: one ONNX graph with the planes of `filterGraphNames` as inputs
 * and outputs, plus param tensors. Params a graph can take as tensors are fed per frame
 * (`paramFeeds`); params that change the graph itself (an attribute such as a kernel size) give
 * another `modelKey`, and `update()` builds, warms and swaps in a new session for them.
 */
export type FilterDefinition<S extends PipelineParamsSchema> = {
  readonly name: string;
  readonly description: string;
  readonly paramsSchema: S;
  /** Names the model these params need; params with equal keys share one model. */
  modelKey(params: PipelineParamsOf<S>): string;
  /** The ONNX model for params of that key. */
  buildModel(params: PipelineParamsOf<S>): Uint8Array;
  /** Extra inputs (beyond the planes), fed with every frame. */
  paramFeeds(params: PipelineParamsOf<S>): OnnxTensors;
  /** onnxruntime optimisation level; `'extended'` for graphs with 1- to 3-channel Convs. */
  readonly graphOptimizationLevel?: 'basic' | 'extended' | 'all';
};

export type FilterPipelineOptions = OnnxSessionOptions;

/** One intra-op thread, as for `invert`: the pipeline shares a small machine with WebRTC. */
export const defaultFilterPipelineOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 1,
} as const satisfies FilterPipelineOptions;

/** The session, params and feeds one frame runs with; swapped whole, between frames. */
type Stage<S extends PipelineParamsSchema> = {
  readonly params: PipelineParamsOf<S>;
  readonly modelKey: string;
  readonly session: OnnxSession;
  readonly feeds: OnnxTensors;
};

/** Built models by definition and key (building is cheap, but done once per process). */
const models = new WeakMap<object, Map<string, Uint8Array>>();

/**
 * Runs a {@link FilterDefinition} as a `Pipeline`: frames must be I420 with even width and height;
 * `update()` validates a partial set of params (naming the field and its limit on error) and
 * applies it between two frames, rebuilding the session only when the model key changes.
 */
export class FilterPipeline<S extends PipelineParamsSchema> implements Pipeline {
  /** A registry entry for `definition` whose pipelines use `options` for their session. */
  static descriptor<S extends PipelineParamsSchema>(
    definition: FilterDefinition<S>,
    options: FilterPipelineOptions = {},
  ): PipelineDescriptor {
    return {
      name: definition.name,
      description: definition.description,
      paramsSchema: definition.paramsSchema,
      create: (params, hooks) => FilterPipeline.create(definition, options, params, hooks),
    };
  }

  readonly name: string;
  readonly #definition: FilterDefinition<S>;
  readonly #options: FilterPipelineOptions;
  readonly #logger: Logger;
  readonly #stage: LiveStage<Stage<S>>;

  private constructor(
    definition: FilterDefinition<S>,
    options: FilterPipelineOptions,
    logger: Logger,
    stage: Stage<S>,
  ) {
    this.name = definition.name;
    this.#definition = definition;
    this.#options = options;
    this.#logger = logger;
    this.#stage = new LiveStage(stage, async (retired, successor) => {
      if (retired.session !== successor?.session) await retired.session.close();
    });
  }

  /**
   * Validates `params` (defaults for the rest), builds the model, loads it and runs a small grey
   * frame through it before resolving. Bad params throw `InvalidPipelineParamsError`.
   */
  static async create<S extends PipelineParamsSchema>(
    definition: FilterDefinition<S>,
    options: FilterPipelineOptions = {},
    params: PipelineParams = {},
    hooks: PipelineCreateHooks = {},
  ): Promise<FilterPipeline<S>> {
    const resolved = validatePipelineParams(
      definition.name,
      definition.paramsSchema,
      params,
      defaultPipelineParams(definition.paramsSchema),
    );
    const logger = (options.logger ?? createLogger('pipelines')).child({
      pipeline: definition.name,
    });
    const sessionOptions = { ...defaultFilterPipelineOptions, ...options, logger };
    hooks.onState?.('loading');
    const stage = await createStage(definition, resolved, sessionOptions, hooks);
    const pipeline = new FilterPipeline(definition, sessionOptions, logger, stage);
    logger.debug({ params: resolved, executionProvider: stage.session.executionProvider }, 'ready');
    return pipeline;
  }

  get state(): PipelineState {
    return this.#stage.closed ? 'closed' : 'ready';
  }

  /** The params frames are processed with now. */
  get params(): PipelineParamsOf<S> {
    return this.#stage.current.params;
  }

  /** The filtered frame: new data, same size and `timestampUs`. Odd sizes throw `InvalidFrameError`. */
  async process(frame: Frame): Promise<Frame> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    assertI420Frame(frame, { evenSize: true });
    return this.#stage.run((stage) => runStage(stage, frame));
  }

  /**
   * Validates `params` (a partial set: the others keep their values) and applies them between two
   * frames: new feeds at once, or a new session built and warmed first when the model changes
   * (frames go on with the old one meanwhile).
   */
  async update(params: PipelineParams): Promise<void> {
    if (this.#stage.closed) throw new PipelineClosedError(this.name);
    await this.#stage.update(
      (base) => validatePipelineParams(this.name, this.#definition.paramsSchema, params, base),
      async (current, next) => {
        if (this.#definition.modelKey(next) === current.modelKey) {
          this.#logger.debug({ params: next }, 'params applied');
          return { ...current, params: next, feeds: this.#definition.paramFeeds(next) };
        }
        const stage = await createStage(this.#definition, next, this.#options);
        this.#logger.debug({ params: next }, 'params applied with a new session');
        return stage;
      },
    );
  }

  /** Waits for updates and frames in flight, then releases the session. Idempotent. */
  async close(): Promise<void> {
    if (this.#stage.closed) return;
    await this.#stage.close();
    this.#logger.debug('closed');
  }
}

/** Builds (or reuses) the model for `params`, loads it and warms it up on a small grey frame. */
async function createStage<S extends PipelineParamsSchema>(
  definition: FilterDefinition<S>,
  params: PipelineParamsOf<S>,
  options: FilterPipelineOptions,
  hooks: PipelineCreateHooks = {},
): Promise<Stage<S>> {
  const modelKey = definition.modelKey(params);
  let byKey = models.get(definition);
  if (byKey === undefined) {
    byKey = new Map();
    models.set(definition, byKey);
  }
  let model = byKey.get(modelKey);
  if (model === undefined) {
    model = definition.buildModel(params);
    byKey.set(modelKey, model);
  }
  const session = await OnnxSession.create(model, {
    ...options,
    ...(definition.graphOptimizationLevel === undefined
      ? {}
      : { graphOptimizationLevel: definition.graphOptimizationLevel }),
  });
  const stage = { params, modelKey, session, feeds: definition.paramFeeds(params) };
  hooks.onState?.('warming');
  try {
    await runStage(stage, greyFrame());
  } catch (error) {
    await session.close();
    throw error;
  }
  return stage;
}

async function runStage<S extends PipelineParamsSchema>(
  stage: Stage<S>,
  frame: Frame,
): Promise<Frame> {
  const { widthPx, heightPx } = frame;
  const lumaDims = [heightPx, widthPx];
  const chromaDims = [heightPx / 2, widthPx / 2];
  const input = i420Planes(frame);
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  const output = i420Planes({ ...frame, data });
  const { inputs, outputs } = filterGraphNames;
  // onnxruntime reads the planes in place and writes its outputs straight into `data`.
  await stage.session.run(
    {
      ...stage.feeds,
      [inputs.y]: new ort.Tensor('uint8', input.y, lumaDims),
      [inputs.u]: new ort.Tensor('uint8', input.u, chromaDims),
      [inputs.v]: new ort.Tensor('uint8', input.v, chromaDims),
    },
    {
      [outputs.y]: new ort.Tensor('uint8', output.y, lumaDims),
      [outputs.u]: new ort.Tensor('uint8', output.u, chromaDims),
      [outputs.v]: new ort.Tensor('uint8', output.v, chromaDims),
    },
  );
  return { widthPx, heightPx, format: 'i420', data, timestampUs: frame.timestampUs };
}

/** A small mid-grey frame for warming sessions up. */
function greyFrame(): Frame {
  const widthPx = 64;
  const heightPx = 64;
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx)).fill(128);
  return { widthPx, heightPx, format: 'i420', data, timestampUs: 0 };
}
