import {
  type PipelineDescriptor,
  PipelineRegistry,
  type PipelineRegistryOptions,
  type RegisterOptions,
  shippedPipelinesDir,
} from '@peerframe/pipelines';
import { pipelineMedia } from '@peerframe/wire';
import { InferenceThreadPool, type InferenceThreadPoolOptions } from './InferenceThreadPool.ts';
import type { InferenceBuildOptions } from './inferenceMessages.ts';
import { ThreadedPipeline } from './ThreadedPipeline.ts';

/**
 * A `PipelineRegistry` whose video pipelines each run on an inference thread of their own
 * (`ThreadedPipeline`): every descriptor loaded from a package folder is registered with a
 * `create` that builds it there (on a thread started ahead of need: `InferenceThreadPool`), so warm spares are built off the main thread too, and sessions'
 * frames never run its nodes on the main thread. Audio parts, and descriptors made in code (no
 * folder to rebuild them from), are created here as before.
 */
export class ThreadedPipelineRegistry extends PipelineRegistry {
  readonly #build: InferenceBuildOptions;
  readonly #threads: InferenceThreadPool;
  /** `warmup()` calls running. */
  #warmingUp = 0;

  constructor(
    build: InferenceBuildOptions,
    options: PipelineRegistryOptions & { threads?: InferenceThreadPoolOptions } = {},
  ) {
    super(options);
    this.#build = build;
    this.#threads = new InferenceThreadPool(options.threads);
  }

  override register(descriptor: PipelineDescriptor, options: RegisterOptions = {}): this {
    const { dir } = descriptor;
    if (dir === undefined || !pipelineMedia(descriptor).includes('video')) {
      return super.register(descriptor, options);
    }
    const build = this.#build;
    return super.register(
      {
        ...descriptor,
        create: async (params, hooks) => {
          const pipeline = await ThreadedPipeline.create(
            descriptor.name,
            this.#threads,
            { ...build, dir, shipped: dir.startsWith(shippedPipelinesDir), params },
            hooks,
          );
          // A build of `warmup()` (hooks: its state shows) replaces the thread it took before
          // the pipeline says `ready`, instead of `refillDelayMs` later: the thread then loads
          // while the node warms up, not while its first session starts.
          if (hooks !== undefined && this.#warmingUp > 0) await this.#threads.fill();
          return pipeline;
        },
      },
      options,
    );
  }

  override async warmup(names?: readonly string[]): Promise<void> {
    this.#warmingUp++;
    try {
      await super.warmup(names);
    } finally {
      this.#warmingUp--;
    }
  }

  /** Closes the warmed pipelines (their threads end), then the spare inference threads. */
  override async close(): Promise<void> {
    await super.close();
    await this.#threads.close();
  }
}
