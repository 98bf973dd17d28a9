import type {
  ExecutionProviderName,
  MediaKind,
  PipelineModelInfo,
  PipelineParams,
  PipelineParamsSchema,
} from '@peerframe/wire';
import type { Frame } from '../frames/Frame.ts';
import type { AudioPipeline } from './AudioPipeline.ts';

/**
 * Live parameters of a pipeline, and a model file it runs as `/info` lists it
 * (`@peerframe/wire`'s: they cross the network).
 */
export type { PipelineModelInfo, PipelineParams };

/**
 * Lifecycle of a pipeline: `loading` (models read, converted, sessions created), `warming`
 * (representative frames run so the first real frame is fast), `ready`; `error` when loading or
 * warming failed; finally `closed`.
 */
export type PipelineState = 'loading' | 'warming' | 'ready' | 'error' | 'closed';

/**
 * A frame processor: one frame in, one frame out. `process` may be called again only after the
 * previous call settled (the orchestrator runs one frame at a time per session and drops the rest).
 */
export interface Pipeline {
  readonly name: string;
  readonly state: PipelineState;
  /** The execution providers its ONNX sessions run on now (none for a pipeline without any). */
  readonly executionProviders?: readonly ExecutionProviderName[];
  process(frame: Frame): Promise<Frame>;
  /** Applies new params between frames, without reloading models where possible. */
  update(params: PipelineParams): Promise<void>;
  /** Releases models and sessions. Idempotent. */
  close(): Promise<void>;
}

/** Told of a pipeline's progress while `create` builds it. */
export type PipelineCreateHooks = {
  /** Called on each state change (`loading`, then `warming`; `create` resolving means `ready`). */
  onState?: (state: PipelineState) => void;
};

/** What the registry knows about a pipeline before one is created. */
export type PipelineDescriptor = {
  readonly name: string;
  readonly description: string;
  /** Its package version (from its manifest), when it has one. */
  readonly version?: string;
  /** The model files it runs, each pinned by sha256 (checked before every use). */
  readonly models?: readonly PipelineModelInfo[];
  /** The params `create` and `update` take: type, default, limits, description (for UIs). */
  readonly paramsSchema: PipelineParamsSchema;
  /**
   * What it processes: video frames (`create`), audio frames (`createAudio`), or both (one
   * instance of each per stream, sharing the params). Default `['video']`.
   */
  readonly media?: readonly MediaKind[];
  /**
   * The package folder it was loaded from (shipped or installed), when it was: what another
   * thread rebuilds it from (its nodes and ONNX sessions cannot move between threads).
   */
  readonly dir?: string;
  /**
   * Builds a ready pipeline (models loaded and warmed up). A pipeline without video refuses with
   * `PipelineMediaError`.
   */
  create(params: PipelineParams, hooks?: PipelineCreateHooks): Promise<Pipeline>;
  /** Builds its ready audio part; present when `media` includes `'audio'`. */
  createAudio?(params: PipelineParams, hooks?: PipelineCreateHooks): Promise<AudioPipeline>;
};
