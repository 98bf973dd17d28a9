import { createLogger, type Logger } from '@peerframe/core';
import {
  type ExecutionProviderName,
  type MediaKind,
  type PipelineEntryState,
  type PipelineParamsSchema,
  pipelineMedia,
} from '@peerframe/wire';
import { manifestPipelineDescriptor } from '../manifest/loadPipelineDirectory.ts';
import {
  loadShippedPipeline,
  shippedAudioPipelineNames,
  shippedPipelineNames,
} from '../manifest/shippedPipelines.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import type { WorkflowPipelineOptions } from '../workflow/WorkflowPipeline.ts';
import type { AudioPipeline } from './AudioPipeline.ts';
import {
  DuplicatePipelineError,
  PipelineClosedError,
  PipelineMediaError,
  UnknownPipelineError,
} from './errors.ts';
import type {
  Pipeline,
  PipelineCreateHooks,
  PipelineDescriptor,
  PipelineModelInfo,
  PipelineParams,
} from './Pipeline.ts';

/**
 * The state of a registered pipeline (`@peerframe/wire`'s: the orchestrator's `/info` shows it):
 * `idle` until `warmup()` prepares it (it can still be created on demand), then `loading` →
 * `warming` → `ready` (a warmed instance waits for the first session), or `error` when that
 * failed; `closed` after `close()`.
 */
export type { PipelineEntryState };

/** What `describe()` says of a registered pipeline (the orchestrator's `GET /info` shows it). */
export type PipelineDescription = {
  readonly name: string;
  readonly description: string;
  /** Its package version, when its descriptor has one. */
  readonly version?: string;
  /** Its model files and their sha256, when it has any. */
  readonly models?: readonly PipelineModelInfo[];
  readonly state: PipelineEntryState;
  readonly paramsSchema: PipelineParamsSchema;
  /** What it processes: `['video']`, `['audio']` or both. */
  readonly media: readonly MediaKind[];
  /** The execution providers its sessions ran on when it was last warmed (`ready` only). */
  readonly executionProviders?: readonly ExecutionProviderName[];
  /** Why it is in `error`. */
  readonly error?: { readonly code: string; readonly message: string };
};

type Entry = {
  readonly descriptor: PipelineDescriptor;
  state: PipelineEntryState;
  error?: { code: string; message: string };
  executionProviders?: readonly ExecutionProviderName[];
  /** A warmed instance (default params) waiting for the next `create`. */
  spare?: Promise<Pipeline>;
  /** A warmed audio instance waiting for the next `createAudio`. */
  audioSpare?: Promise<AudioPipeline>;
  /** Set once `unregister` took it out: a warmup still running closes what it made. */
  removed?: boolean;
};

export type RegisterOptions = {
  /**
   * Load and warm it now, after any pipeline already being warmed this way (one at a time: they
   * share a small machine). Its state is `loading` from the start, never `idle`, so that nothing
   * offers it before it is `ready`. Default false (built on first use, or by `warmup()`).
   */
  warm?: boolean;
};

export type PipelineRegistryOptions = {
  /** Keep one warmed instance per pipeline after `warmup()` and after each `create`. Default true. */
  keepWarm?: boolean;
  logger?: Logger;
};

/**
 * Pipelines by name: what a node can run, how to build one, and each one's state. `warmup()`
 * loads and warms every pipeline once (models converted and cached, sessions created, frames run)
 * and keeps the warmed instance for the first `create()`, so a new session's first frame is fast;
 * another is warmed in the background after it is taken.
 */
export class PipelineRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #keepWarm: boolean;
  readonly #logger: Logger;
  /** Pipelines registered with `warm: true` are warmed one after the other on this chain. */
  #warmQueue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: PipelineRegistryOptions = {}) {
    this.#keepWarm = options.keepWarm ?? true;
    this.#logger = (options.logger ?? createLogger('pipelines')).child({ name: 'registry' });
  }

  /** Adds a pipeline. A name already taken throws `DuplicatePipelineError`. */
  register(descriptor: PipelineDescriptor, options: RegisterOptions = {}): this {
    if (this.#entries.has(descriptor.name)) throw new DuplicatePipelineError(descriptor.name);
    const entry: Entry = { descriptor, state: options.warm === true ? 'loading' : 'idle' };
    this.#entries.set(descriptor.name, entry);
    if (options.warm === true) {
      this.#warmQueue = this.#warmQueue.then(() =>
        entry.removed === true ? undefined : this.warmup([descriptor.name]),
      );
    }
    return this;
  }

  /**
   * Takes a pipeline out (an uninstalled or replaced package): it is no longer listed nor created;
   * its warmed instance is closed (once its warmup ends, if it is still warming). Pipelines already
   * created from it keep running until their sessions close them. Unknown names are ignored.
   */
  async unregister(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    this.#entries.delete(name);
    entry.removed = true;
    entry.state = 'closed';
    const spares = [entry.spare, entry.audioSpare];
    delete entry.spare;
    delete entry.audioSpare;
    await Promise.all(
      spares.map((spare) =>
        spare?.then(
          (pipeline) => pipeline.close(),
          () => undefined,
        ),
      ),
    );
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The descriptor registered as `name` (its `create` goes through the registry, so it takes the
   * warmed instance when there is one); otherwise `UnknownPipelineError` listing known names.
   */
  get(name: string): PipelineDescriptor {
    const { descriptor } = this.#entry(name);
    return { ...descriptor, create: (params) => this.create(name, params) };
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Registered descriptors, in registration order (see `get`). */
  descriptors(): PipelineDescriptor[] {
    return this.names().map((name) => this.get(name));
  }

  /** Each pipeline's name, description, state and params schema, in registration order. */
  describe(): PipelineDescription[] {
    return [...this.#entries.values()].map(({ descriptor, state, error, executionProviders }) => ({
      name: descriptor.name,
      description: descriptor.description,
      ...(descriptor.version === undefined ? {} : { version: descriptor.version }),
      ...(descriptor.models === undefined ? {} : { models: descriptor.models }),
      state,
      paramsSchema: descriptor.paramsSchema,
      media: pipelineMedia(descriptor),
      ...(state !== 'ready' || executionProviders === undefined ? {} : { executionProviders }),
      ...(error === undefined ? {} : { error }),
    }));
  }

  /** The state of one pipeline. */
  state(name: string): PipelineEntryState {
    return this.#entry(name).state;
  }

  /**
   * Loads and warms `names` (default: all), one after the other (they share a small machine),
   * keeping a warmed instance of each (of each medium it processes). Resolves when all are
   * `ready` or `error`; never rejects.
   */
  async warmup(names: readonly string[] = this.names()): Promise<void> {
    for (const name of names) {
      // A pipeline unregistered meanwhile is skipped.
      const entry = this.#entries.get(name);
      if (entry === undefined) continue;
      const media = pipelineMedia(entry.descriptor);
      if (media.includes('video') && entry.spare === undefined && !this.#closed) {
        const spare = this.#prepare(entry, (hooks) => entry.descriptor.create({}, hooks));
        entry.spare = spare;
        await spare.catch(() => undefined);
      }
      if (
        media.includes('audio') &&
        entry.audioSpare === undefined &&
        !this.#closed &&
        entry.removed !== true
      ) {
        const spare = this.#prepareAudio(entry);
        entry.audioSpare = spare;
        await spare.catch(() => undefined);
      }
    }
  }

  /**
   * Builds a ready pipeline: the warmed instance when there is one (params applied with
   * `update()`), else a new one. Params are validated by the pipeline itself.
   */
  async create(name: string, params: PipelineParams = {}): Promise<Pipeline> {
    if (this.#closed) throw new PipelineClosedError('registry');
    const entry = this.#entry(name);
    const media = pipelineMedia(entry.descriptor);
    if (!media.includes('video')) throw new PipelineMediaError(name, 'video', media);
    const spare = entry.spare;
    if (spare !== undefined) {
      delete entry.spare;
      const pipeline = await spare.catch(() => undefined);
      if (pipeline !== undefined) {
        try {
          if (Object.keys(params).length > 0) await pipeline.update(params);
        } catch (error) {
          entry.spare = Promise.resolve(pipeline); // bad params: the spare is as it was
          throw error;
        }
        this.#refill(entry);
        return pipeline;
      }
    }
    return entry.descriptor.create(params);
  }

  /**
   * Builds a ready audio pipeline for a pipeline whose media include audio (else
   * `PipelineMediaError`): the warmed instance when there is one (params applied with
   * `update()`), else a new one.
   */
  async createAudio(name: string, params: PipelineParams = {}): Promise<AudioPipeline> {
    if (this.#closed) throw new PipelineClosedError('registry');
    const entry = this.#entry(name);
    const media = pipelineMedia(entry.descriptor);
    const createAudio = entry.descriptor.createAudio;
    if (!media.includes('audio') || createAudio === undefined) {
      throw new PipelineMediaError(name, 'audio', media);
    }
    const taken = entry.audioSpare;
    delete entry.audioSpare; // before waiting: a concurrent call must not take the same one
    const spare = await taken?.catch(() => undefined);
    if (spare !== undefined) {
      try {
        if (Object.keys(params).length > 0) await spare.update(params);
      } catch (error) {
        entry.audioSpare = Promise.resolve(spare); // bad params: the spare is as it was
        throw error;
      }
      if (this.#keepWarm && !this.#closed) this.#keepAudioWarm(entry);
      return spare;
    }
    return createAudio(params);
  }

  /** Closes the warmed instances; the registry creates nothing more. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const spares = [...this.#entries.values()].flatMap((entry) => {
      const spares = [entry.spare, entry.audioSpare];
      delete entry.spare;
      delete entry.audioSpare;
      entry.state = 'closed';
      return spares.map((spare) => spare?.then((pipeline) => pipeline.close()));
    });
    await Promise.allSettled(spares);
  }

  #entry(name: string): Entry {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new UnknownPipelineError(name, this.names());
    return entry;
  }

  /**
   * Creates and warms an instance with default params (`build`). The first time, the entry's
   * state follows (`loading` → `warming` → `ready` or `error`); a refill after a taken spare
   * leaves a `ready` entry `ready` (sessions can be created all along) and only logs a failure.
   */
  async #prepare<
    P extends {
      readonly executionProviders?: readonly ExecutionProviderName[];
      close(): Promise<void>;
    },
  >(entry: Entry, build: (hooks: PipelineCreateHooks) => Promise<P>): Promise<P> {
    const first = entry.state !== 'ready';
    const setState = (state: PipelineEntryState) => {
      if (first && !this.#closed && entry.removed !== true) entry.state = state;
    };
    setState('loading');
    if (first) delete entry.error;
    try {
      const pipeline = await build({ onState: setState });
      if (this.#closed || entry.removed === true) {
        await pipeline.close();
        throw new PipelineClosedError(this.#closed ? 'registry' : entry.descriptor.name);
      }
      if (pipeline.executionProviders !== undefined) {
        entry.executionProviders = [...pipeline.executionProviders];
      }
      setState('ready');
      return pipeline;
    } catch (error) {
      if (!this.#closed && entry.removed !== true) {
        this.#logger.error(
          { err: error, pipeline: entry.descriptor.name },
          first ? 'pipeline failed to load' : 'pipeline failed to warm a spare instance',
        );
      }
      if (first && !this.#closed && entry.removed !== true) {
        entry.state = 'error';
        const code = (error as { code?: unknown }).code;
        entry.error = {
          code: typeof code === 'string' ? code : 'pipeline_load_failed',
          message: error instanceof Error ? error.message : String(error),
        };
      }
      throw error;
    }
  }

  /**
   * Warms an audio instance. The entry's state follows it when the pipeline has no video (else the
   * video instance's state is the entry's, and an audio failure is only logged).
   */
  #prepareAudio(entry: Entry): Promise<AudioPipeline> {
    const createAudio = entry.descriptor.createAudio;
    const build = (hooks: PipelineCreateHooks) =>
      createAudio === undefined
        ? Promise.reject(
            new PipelineMediaError(entry.descriptor.name, 'audio', pipelineMedia(entry.descriptor)),
          )
        : createAudio({}, hooks);
    if (!pipelineMedia(entry.descriptor).includes('video')) return this.#prepare(entry, build);
    return build({}).then(
      async (pipeline) => {
        if (!this.#closed && entry.removed !== true) return pipeline;
        await pipeline.close(); // closed or unregistered while it warmed: never handed out
        throw new PipelineClosedError(this.#closed ? 'registry' : entry.descriptor.name);
      },
      (error: unknown) => {
        if (!this.#closed && entry.removed !== true) {
          this.#logger.error(
            { err: error, pipeline: entry.descriptor.name },
            'audio part failed to load',
          );
        }
        throw error;
      },
    );
  }

  /** Warms the next audio spare in the background (after a taken one). */
  #keepAudioWarm(entry: Entry): void {
    const spare = this.#prepareAudio(entry);
    entry.audioSpare = spare;
    spare.catch(() => {
      if (entry.audioSpare === spare) delete entry.audioSpare;
    });
  }

  /** Warms the next spare in the background (after a taken one), when asked to keep warm. */
  #refill(entry: Entry): void {
    if (!this.#keepWarm || this.#closed) return;
    const spare = this.#prepare(entry, (hooks) => entry.descriptor.create({}, hooks));
    entry.spare = spare;
    spare.catch(() => {
      if (entry.spare === spare) delete entry.spare;
    });
  }
}

export type DefaultPipelineRegistryOptions = PipelineRegistryOptions & {
  /**
   * Options of every pipeline: ONNX session options (default one intra-op thread on CPU: the
   * pipelines share a small machine with WebRTC), warmup frames.
   */
  workflows?: Omit<WorkflowPipelineOptions, 'registry'>;
  /**
   * The one directory `background-replace` reads background images (binary PPM) from. Default:
   * none (the `image` background then fails with a clear error).
   */
  imageDir?: string;
};

/**
 * A registry with the pipelines this package ships, each built from its manifest and ComfyUI
 * workflow in `pipelines/` (`shippedPipelineNames`, in that order): `passthrough`, `invert`,
 * `background-blur`, the procedural filters `sketch`, `toon`, `color-grade` and `pixelate`,
 * `face-boxes` and `background-replace`; then the audio pipelines (`shippedAudioPipelineNames`):
 * `noise-suppression`, `voice-pitch` and `gain`. A pipeline whose model package is not installed is
 * still listed; creating it fails with `InvalidPipelineManifestError` naming the package.
 */
export function defaultPipelineRegistry(
  options: DefaultPipelineRegistryOptions = {},
): PipelineRegistry {
  const nodes = {
    registry: defaultNodeRegistry(
      options.imageDir === undefined ? {} : { imageDir: options.imageDir },
    ),
    // A model package npm left out (an optional dependency) fails that pipeline's create only.
    allowMissingModels: true,
  };
  const registry = new PipelineRegistry(options);
  for (const name of [...shippedPipelineNames, ...shippedAudioPipelineNames]) {
    registry.register(
      manifestPipelineDescriptor(loadShippedPipeline(name, nodes), { ...options.workflows }),
    );
  }
  return registry;
}
