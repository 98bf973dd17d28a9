import type { Frame } from './Frame.ts';

/** Live parameters of a pipeline: a flat JSON object validated by the pipeline. */
export type PipelineParams = Readonly<Record<string, unknown>>;

/** Lifecycle of a pipeline: `warming` while models load, then `ready`, finally `closed`. */
export type PipelineState = 'warming' | 'ready' | 'closed';

/**
 * A frame processor: one frame in, one frame out. `process` may be called again only after the
 * previous call settled (the orchestrator runs one frame at a time per session and drops the rest).
 */
export interface Pipeline {
  readonly name: string;
  readonly state: PipelineState;
  process(frame: Frame): Promise<Frame>;
  /** Applies new params between frames, without reloading models where possible. */
  update(params: PipelineParams): Promise<void>;
  /** Releases models and sessions. Idempotent. */
  close(): Promise<void>;
}

/** What the registry knows about a pipeline before one is created. */
export type PipelineDescriptor = {
  readonly name: string;
  readonly description: string;
  /** Builds a ready pipeline (models loaded and warmed up). */
  create(params: PipelineParams): Promise<Pipeline>;
};
