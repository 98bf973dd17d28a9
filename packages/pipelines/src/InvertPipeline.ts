import { createLogger, type Logger } from '@peerframe/core';
import * as ort from 'onnxruntime-node';
import { assertI420Frame } from './assertI420Frame.ts';
import { checkNoParams } from './checkNoParams.ts';
import { PipelineClosedError } from './errors.ts';
import { type Frame, i420ByteLength, i420Planes } from './Frame.ts';
import { buildInvertGraph, invertGraphNames } from './graphs/buildInvertGraph.ts';
import { OnnxSession, type OnnxSessionOptions } from './onnx/OnnxSession.ts';
import type { Pipeline, PipelineDescriptor, PipelineParams, PipelineState } from './Pipeline.ts';

export type InvertPipelineOptions = OnnxSessionOptions;

/**
 * One intra-op thread by default: on a small machine the pipeline shares the cores with WebRTC
 * encoding and decoding, and a second onnxruntime thread spins between frames.
 */
export const defaultInvertPipelineOptions = {
  executionProvider: 'cpu',
  intraOpNumThreads: 1,
} as const satisfies InvertPipelineOptions;

/** The model is the same for every pipeline; build it once. */
let invertModel: Uint8Array | undefined;

/**
 * Inverts the colours of I420 frames with an ONNX graph (colour conversion inside the graph,
 * see `buildInvertGraph`). Frames must have even width and height. Takes no params.
 */
export class InvertPipeline implements Pipeline {
  /** A registry entry whose pipelines use `options` for their ONNX session. */
  static descriptor(options: InvertPipelineOptions = {}): PipelineDescriptor {
    return {
      name: 'invert',
      description: 'Inverts the colours of each frame (ONNX, BT.601 I420 ↔ RGB in the graph).',
      paramsSchema: {},
      create: (params) => InvertPipeline.create(options, params),
    };
  }

  readonly name = 'invert';
  readonly #session: OnnxSession;
  readonly #logger: Logger;
  #state: PipelineState = 'warming';
  /** Runs in flight, so that `close()` releases the session only after they settle. */
  readonly #running = new Set<Promise<unknown>>();

  private constructor(session: OnnxSession, logger: Logger) {
    this.#session = session;
    this.#logger = logger;
  }

  /** Loads the model and runs it once on a small grey frame before resolving. */
  static async create(
    options: InvertPipelineOptions = {},
    params: PipelineParams = {},
  ): Promise<InvertPipeline> {
    checkNoParams('invert', params);
    const logger = (options.logger ?? createLogger('pipelines')).child({ pipeline: 'invert' });
    invertModel ??= buildInvertGraph();
    const session = await OnnxSession.create(invertModel, {
      ...defaultInvertPipelineOptions,
      ...options,
      logger,
    });
    const pipeline = new InvertPipeline(session, logger);
    try {
      const widthPx = 64;
      const heightPx = 64;
      await pipeline.#run({
        widthPx,
        heightPx,
        format: 'i420',
        data: new Uint8Array(i420ByteLength(widthPx, heightPx)).fill(128),
        timestampUs: 0,
      });
    } catch (error) {
      await session.close();
      throw error;
    }
    pipeline.#state = 'ready';
    logger.debug({ executionProvider: session.executionProvider }, 'invert pipeline ready');
    return pipeline;
  }

  get state(): PipelineState {
    return this.#state;
  }

  /** The inverted frame: new data, same size and `timestampUs`. Odd sizes throw `InvalidFrameError`. */
  async process(frame: Frame): Promise<Frame> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    assertI420Frame(frame, { evenSize: true });
    return this.#run(frame);
  }

  async update(params: PipelineParams): Promise<void> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    checkNoParams(this.name, params);
  }

  /** Waits for frames in flight, then releases the ONNX session. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    await Promise.allSettled(this.#running);
    await this.#session.close();
    this.#logger.debug('invert pipeline closed');
  }

  async #run(frame: Frame): Promise<Frame> {
    const { widthPx, heightPx } = frame;
    const lumaDims = [heightPx, widthPx];
    const chromaDims = [heightPx / 2, widthPx / 2];
    const input = i420Planes(frame);
    const data = new Uint8Array(i420ByteLength(widthPx, heightPx));
    const output = i420Planes({ ...frame, data });
    const { inputs, outputs } = invertGraphNames;
    // onnxruntime reads the planes in place and writes its outputs straight into `data`.
    const running = this.#session.run(
      {
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
    this.#running.add(running);
    try {
      await running;
    } finally {
      this.#running.delete(running);
    }
    return { widthPx, heightPx, format: 'i420', data, timestampUs: frame.timestampUs };
  }
}
