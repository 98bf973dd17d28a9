import { checkNoParams } from './checkNoParams.ts';
import { PipelineClosedError } from './errors.ts';
import type { Frame } from './Frame.ts';
import type { Pipeline, PipelineDescriptor, PipelineParams, PipelineState } from './Pipeline.ts';

/** Returns every frame unchanged (the same object). Takes no params. */
export class PassthroughPipeline implements Pipeline {
  static readonly descriptor: PipelineDescriptor = {
    name: 'passthrough',
    description: 'Returns every frame unchanged.',
    paramsSchema: {},
    create: (params) => PassthroughPipeline.create(params),
  };

  readonly name = 'passthrough';
  #state: PipelineState = 'ready';

  private constructor() {}

  /** Takes no params: any key throws `InvalidPipelineParamsError`. */
  static async create(params: PipelineParams = {}): Promise<PassthroughPipeline> {
    checkNoParams('passthrough', params);
    return new PassthroughPipeline();
  }

  get state(): PipelineState {
    return this.#state;
  }

  async process(frame: Frame): Promise<Frame> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    return frame;
  }

  async update(params: PipelineParams): Promise<void> {
    if (this.#state === 'closed') throw new PipelineClosedError(this.name);
    checkNoParams(this.name, params);
  }

  async close(): Promise<void> {
    this.#state = 'closed';
  }
}
