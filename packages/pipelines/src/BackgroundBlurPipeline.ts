import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import { assertI420Frame } from './assertI420Frame.ts';
import { PipelineClosedError } from './errors.ts';
import { type Frame, i420ByteLength, i420Planes } from './Frame.ts';
import {
  backgroundBlurGraphNames,
  buildBackgroundBlurGraph,
} from './graphs/buildBackgroundBlurGraph.ts';
import { buildSegmentationGraph, segmentationGraphNames } from './graphs/buildSegmentationGraph.ts';
import { loadTfliteAsOnnx } from './models/loadTfliteAsOnnx.ts';
import {
  type SelfieSegmentationModelName,
  selfieSegmentationModels,
} from './models/selfieSegmentationModels.ts';
import { OnnxSession, type OnnxSessionOptions } from './onnx/OnnxSession.ts';
import type { Pipeline, PipelineDescriptor, PipelineParams, PipelineState } from './Pipeline.ts';
import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  validatePipelineParams,
} from './PipelineParamsSchema.ts';

/** The params of `background-blur`: all may change between frames with `update()`. */
export const backgroundBlurParamsSchema = {
  blurRadiusPx: {
    type: 'integer',
    default: 12,
    min: 1,
    max: 32,
    description:
      'Background blur radius in frame pixels (a Gaussian of standard deviation radius/2).',
  },
  maskThreshold: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    description: 'Person probability at which a pixel is half person, half blurred background.',
  },
  edgeSoftness: {
    type: 'number',
    default: 0.5,
    min: 0.01,
    max: 1,
    description:
      'Width of the probability ramp from background to person around the threshold (small: hard edges).',
  },
  model: {
    type: 'enum',
    values: ['general', 'landscape'],
    default: 'general',
    description:
      'Segmentation model: general (256×256 input) or landscape (256×144, made for 16:9 frames).',
  },
} as const satisfies PipelineParamsSchema;

export type BackgroundBlurParams = PipelineParamsOf<typeof backgroundBlurParamsSchema>;

export type BackgroundBlurPipelineOptions = OnnxSessionOptions & {
  /** Where converted models are cached. Default `ModelCache.defaultDir()`. */
  modelCacheDir?: string;
};

/** One intra-op thread, as for `invert`: the pipeline shares a small machine with WebRTC. */
export const defaultBackgroundBlurPipelineOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 1,
} as const satisfies BackgroundBlurPipelineOptions;

const pipelineName = 'background-blur';
/** Names the segmentation graph built from the TFLite model, in the model cache key. */
const segmentationVariant = 'segmentation-i420-v1';

/** The sessions and params one frame runs with; swapped whole, between frames. */
type Stages = {
  readonly params: BackgroundBlurParams;
  readonly segmentation: OnnxSession;
  readonly blur: OnnxSession;
};

/**
 * Blurs the background of I420 frames and keeps the person sharp, with two ONNX sessions:
 * segmentation (MediaPipe selfie segmentation converted from TFLite, fed by the frame's planes,
 * see `buildSegmentationGraph`) and blur + composite at frame size (`buildBackgroundBlurGraph`).
 * Frames must have even width and height. `update()` builds and warms any session a param change
 * needs (a new blur radius or model) and swaps it in between two frames; threshold and softness
 * are fed per frame.
 */
export class BackgroundBlurPipeline implements Pipeline {
  /** A registry entry whose pipelines use `options`. */
  static descriptor(options: BackgroundBlurPipelineOptions = {}): PipelineDescriptor {
    return {
      name: pipelineName,
      description:
        'Keeps the person sharp and blurs the background (MediaPipe selfie segmentation on ONNX).',
      create: (params) => BackgroundBlurPipeline.create(options, params),
    };
  }

  readonly name = pipelineName;
  readonly #options: BackgroundBlurPipelineOptions;
  readonly #logger: Logger;
  #state: PipelineState = 'warming';
  #stages: Stages;
  /** Params after every accepted `update()`, applied or queued: what the next one builds on. */
  #targetParams: BackgroundBlurParams;
  /** Updates run one after the other. */
  #updates: Promise<void> = Promise.resolve();
  /** Runs in flight, so that sessions are released only after they settle. */
  readonly #running = new Set<Promise<unknown>>();

  private constructor(options: BackgroundBlurPipelineOptions, logger: Logger, stages: Stages) {
    this.#options = options;
    this.#logger = logger;
    this.#stages = stages;
    this.#targetParams = stages.params;
  }

  /**
   * Loads the segmentation model (hash-verified, converted from TFLite on first use and cached),
   * builds the blur session and runs a small frame through both before resolving. Bad params
   * throw `InvalidPipelineParamsError` naming the field and its limit.
   */
  static async create(
    options: BackgroundBlurPipelineOptions = {},
    params: PipelineParams = {},
  ): Promise<BackgroundBlurPipeline> {
    const resolved = validatePipelineParams(
      pipelineName,
      backgroundBlurParamsSchema,
      params,
      defaultPipelineParams(backgroundBlurParamsSchema),
    );
    const logger = (options.logger ?? createLogger('pipelines')).child({ pipeline: pipelineName });
    const sessionOptions = { ...defaultBackgroundBlurPipelineOptions, ...options, logger };
    const segmentation = await createSegmentationSession(resolved.model, sessionOptions);
    let blur: OnnxSession | undefined;
    try {
      blur = await createBlurSession(resolved, sessionOptions);
      const stages = { params: resolved, segmentation, blur };
      await runStages(stages, greyFrame());
      const pipeline = new BackgroundBlurPipeline(sessionOptions, logger, stages);
      pipeline.#state = 'ready';
      logger.debug({ params: resolved, executionProvider: blur.executionProvider }, 'ready');
      return pipeline;
    } catch (error) {
      await segmentation.close();
      await blur?.close();
      throw error;
    }
  }

  get state(): PipelineState {
    return this.#state;
  }

  /** The params frames are processed with now. */
  get params(): BackgroundBlurParams {
    return this.#stages.params;
  }

  /** The frame with its background blurred: new data, same size and `timestampUs`. */
  async process(frame: Frame): Promise<Frame> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    assertI420Frame(frame, { evenSize: true });
    const running = runStages(this.#stages, frame);
    this.#running.add(running);
    try {
      return await running;
    } finally {
      this.#running.delete(running);
    }
  }

  /**
   * Validates `params` (a partial set: other params keep their values) and applies them between
   * two frames. A new blur radius or model builds and warms new sessions first, so frames go on
   * with the old ones meanwhile and are never blank or stalled by the swap.
   */
  async update(params: PipelineParams): Promise<void> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    const next = validatePipelineParams(
      pipelineName,
      backgroundBlurParamsSchema,
      params,
      this.#targetParams,
    );
    this.#targetParams = next;
    const applied = this.#updates.then(() => this.#apply(next));
    this.#updates = applied.catch(() => undefined);
    await applied;
  }

  /** Waits for frames in flight, then releases the sessions. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await this.#updates;
    await Promise.allSettled(this.#running);
    await this.#stages.segmentation.close();
    await this.#stages.blur.close();
    this.#logger.debug('closed');
  }

  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  async #apply(next: BackgroundBlurParams): Promise<void> {
    const current = this.#stages;
    if (this.#isClosed()) return;
    const sessionOptions = { ...this.#options, logger: this.#logger };
    const created: OnnxSession[] = [];
    let stages: Stages;
    try {
      const modelChanged = next.model !== current.params.model;
      const segmentation = modelChanged
        ? await createSegmentationSession(next.model, sessionOptions)
        : current.segmentation;
      if (modelChanged) created.push(segmentation);
      const blurChanged = modelChanged || next.blurRadiusPx !== current.params.blurRadiusPx;
      const blur = blurChanged ? await createBlurSession(next, sessionOptions) : current.blur;
      if (blurChanged) created.push(blur);
      stages = { params: next, segmentation, blur };
      if (created.length > 0) await runStages(stages, greyFrame());
    } catch (error) {
      await Promise.allSettled(created.map((session) => session.close()));
      this.#targetParams = current.params;
      throw error;
    }
    if (this.#isClosed()) {
      // Closed while the new sessions were built: they were never swapped in.
      await Promise.allSettled(created.map((session) => session.close()));
      return;
    }
    this.#stages = stages; // the swap: the next frame runs with the new sessions and params
    this.#logger.debug({ params: next }, 'params applied');
    const retired = [current.segmentation, current.blur].filter(
      (session) => session !== stages.segmentation && session !== stages.blur,
    );
    if (retired.length > 0) {
      await Promise.allSettled(this.#running);
      await Promise.all(retired.map((session) => session.close()));
    }
  }
}

async function createSegmentationSession(
  model: SelfieSegmentationModelName,
  options: BackgroundBlurPipelineOptions,
): Promise<OnnxSession> {
  const onnx = await loadTfliteAsOnnx(selfieSegmentationModels[model], {
    variant: segmentationVariant,
    build: buildSegmentationGraph,
    ...(options.modelCacheDir === undefined ? {} : { cacheDir: options.modelCacheDir }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return OnnxSession.create(onnx, options);
}

async function createBlurSession(
  params: BackgroundBlurParams,
  options: BackgroundBlurPipelineOptions,
): Promise<OnnxSession> {
  const { widthPx, heightPx } = selfieSegmentationModels[params.model];
  const model = buildBackgroundBlurGraph({
    blurRadiusPx: params.blurRadiusPx,
    maskWidthPx: widthPx,
    maskHeightPx: heightPx,
  });
  // No NCHWc layout pass: it would pad the 1- and 2-channel blur convolutions to 8 or 16.
  return OnnxSession.create(model, { ...options, graphOptimizationLevel: 'extended' });
}

/** Segmentation, then blur and composite, on one frame with one consistent set of stages. */
async function runStages(stages: Stages, frame: Frame): Promise<Frame> {
  const { widthPx, heightPx } = frame;
  const lumaDims = [heightPx, widthPx];
  const chromaDims = [heightPx / 2, widthPx / 2];
  const planes = i420Planes(frame);
  const y = new ort.Tensor('uint8', planes.y, lumaDims);
  const u = new ort.Tensor('uint8', planes.u, chromaDims);
  const v = new ort.Tensor('uint8', planes.v, chromaDims);
  const segmented = await stages.segmentation.run({ y, u, v });
  const mask = segmented[segmentationGraphNames.outputs.mask] as ort.Tensor;

  const { maskThreshold, edgeSoftness } = stages.params;
  const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
  const output = i420Planes({ ...frame, data });
  const { inputs, outputs } = backgroundBlurGraphNames;
  // alpha = clip((mask − threshold) / softness + 0.5, 0, 1)
  await stages.blur.run(
    {
      [inputs.y]: y,
      [inputs.u]: u,
      [inputs.v]: v,
      [inputs.mask]: mask,
      [inputs.alphaScale]: new ort.Tensor('float32', Float32Array.of(1 / edgeSoftness), []),
      [inputs.alphaBias]: new ort.Tensor(
        'float32',
        Float32Array.of(0.5 - maskThreshold / edgeSoftness),
        [],
      ),
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
