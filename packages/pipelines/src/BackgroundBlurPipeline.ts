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
import { LiveStage } from './LiveStage.ts';
import { loadTfliteAsOnnx } from './models/loadTfliteAsOnnx.ts';
import {
  type SelfieSegmentationModelName,
  selfieSegmentationModels,
} from './models/selfieSegmentationModels.ts';
import { OnnxSession, type OnnxSessionOptions } from './onnx/OnnxSession.ts';
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
      paramsSchema: backgroundBlurParamsSchema,
      create: (params, hooks) => BackgroundBlurPipeline.create(options, params, hooks),
    };
  }

  readonly name = pipelineName;
  readonly #options: BackgroundBlurPipelineOptions;
  readonly #logger: Logger;
  readonly #stages: LiveStage<Stages>;

  private constructor(options: BackgroundBlurPipelineOptions, logger: Logger, stages: Stages) {
    this.#options = options;
    this.#logger = logger;
    this.#stages = new LiveStage(stages, async (retired, successor) => {
      const kept = [successor?.segmentation, successor?.blur];
      for (const session of [retired.segmentation, retired.blur]) {
        if (!kept.includes(session)) await session.close();
      }
    });
  }

  /**
   * Loads the segmentation model (hash-verified, converted from TFLite on first use and cached),
   * builds the blur session and runs a small frame through both before resolving. Bad params
   * throw `InvalidPipelineParamsError` naming the field and its limit.
   */
  static async create(
    options: BackgroundBlurPipelineOptions = {},
    params: PipelineParams = {},
    hooks: PipelineCreateHooks = {},
  ): Promise<BackgroundBlurPipeline> {
    const resolved = validatePipelineParams(
      pipelineName,
      backgroundBlurParamsSchema,
      params,
      defaultPipelineParams(backgroundBlurParamsSchema),
    );
    const logger = (options.logger ?? createLogger('pipelines')).child({ pipeline: pipelineName });
    const sessionOptions = { ...defaultBackgroundBlurPipelineOptions, ...options, logger };
    hooks.onState?.('loading');
    const segmentation = await createSegmentationSession(resolved.model, sessionOptions);
    let blur: OnnxSession | undefined;
    try {
      blur = await createBlurSession(resolved, sessionOptions);
      const stages = { params: resolved, segmentation, blur };
      hooks.onState?.('warming');
      await runStages(stages, greyFrame());
      const pipeline = new BackgroundBlurPipeline(sessionOptions, logger, stages);
      logger.debug({ params: resolved, executionProvider: blur.executionProvider }, 'ready');
      return pipeline;
    } catch (error) {
      await segmentation.close();
      await blur?.close();
      throw error;
    }
  }

  get state(): PipelineState {
    return this.#stages.closed ? 'closed' : 'ready';
  }

  /** The params frames are processed with now. */
  get params(): BackgroundBlurParams {
    return this.#stages.current.params;
  }

  /** The frame with its background blurred: new data, same size and `timestampUs`. */
  async process(frame: Frame): Promise<Frame> {
    if (this.#stages.closed) throw new PipelineClosedError(this.name);
    assertI420Frame(frame, { evenSize: true });
    return this.#stages.run((stages) => runStages(stages, frame));
  }

  /**
   * Validates `params` (a partial set: other params keep their values) and applies them between
   * two frames. A new blur radius or model builds and warms new sessions first, so frames go on
   * with the old ones meanwhile and are never blank or stalled by the swap.
   */
  async update(params: PipelineParams): Promise<void> {
    if (this.#stages.closed) throw new PipelineClosedError(this.name);
    await this.#stages.update(
      (base) => validatePipelineParams(pipelineName, backgroundBlurParamsSchema, params, base),
      (current, next) => this.#build(current, next),
    );
  }

  /** Waits for frames in flight, then releases the sessions. Idempotent. */
  async close(): Promise<void> {
    if (this.#stages.closed) return;
    await this.#stages.close();
    this.#logger.debug('closed');
  }

  /** The stages for `next`: the current sessions where they still fit, new warmed ones otherwise. */
  async #build(current: Stages, next: BackgroundBlurParams): Promise<Stages> {
    const sessionOptions = { ...this.#options, logger: this.#logger };
    const created: OnnxSession[] = [];
    try {
      const modelChanged = next.model !== current.params.model;
      const segmentation = modelChanged
        ? await createSegmentationSession(next.model, sessionOptions)
        : current.segmentation;
      if (modelChanged) created.push(segmentation);
      const blurChanged = modelChanged || next.blurRadiusPx !== current.params.blurRadiusPx;
      const blur = blurChanged ? await createBlurSession(next, sessionOptions) : current.blur;
      if (blurChanged) created.push(blur);
      const stages = { params: next, segmentation, blur };
      if (created.length > 0) await runStages(stages, greyFrame());
      this.#logger.debug({ params: next }, 'params applied');
      return stages;
    } catch (error) {
      await Promise.allSettled(created.map((session) => session.close()));
      throw error;
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
