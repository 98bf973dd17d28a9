import type { MessagePort } from 'node:worker_threads';
import type {
  ExecutionProviderChoice,
  PipelineNodePolicy,
  PipelineParams,
  PipelineState,
} from '@peerframe/pipelines';
import type { ExecutionProviderName } from '@peerframe/wire';
import type { ThreadError } from '../threadErrors.ts';

/** How a pipeline's package is loaded on an inference thread (the same code as the registry's). */
export type InferenceBuildOptions = {
  /** ONNX session options of every pipeline: the node's execution provider choice. */
  sessionOptions: { executionProvider: ExecutionProviderChoice; intraOpNumThreads: number };
  /** Which installed packages may run their own node code (the node's allow-list). */
  nodePolicy: PipelineNodePolicy;
  /** The model store's folder (models given by URL were fetched there at install). */
  modelStoreDir: string;
};

/** What an inference thread builds its pipeline from (its `build` message). */
export type InferenceBuild = InferenceBuildOptions & {
  /** The pipeline's package folder (`PipelineDescriptor.dir`). */
  dir: string;
  /** A shipped package (its nodes are the built-in ones), else an installed one. */
  shipped: boolean;
  /** Its params at creation (validated on the main thread already). */
  params: PipelineParams;
};

/** A frame crossing threads; its buffer is transferred, never copied on the way. */
export type FrameMessage = {
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
  timestampUs: number;
};

/**
 * A frame the inference thread ran from its media thread's channel (`attach`), as the session
 * counts it: the frame itself went straight back to the media thread.
 */
export type PortFrameReport = {
  /** When the media thread decoded it, the pipeline took it, and finished it (epoch ms). */
  decodedAtMs: number;
  startedAtMs: number;
  doneAtMs: number;
  /** The pipeline's time on it, ms. */
  pipelineMs: number;
  /** The output's size. */
  widthPx: number;
  heightPx: number;
  /** The media thread's counts when it sent the picture: decoded for the pipeline, dropped. */
  framesIn: number;
  framesDropped: number;
  /** The RTP timestamp of the frame the picture was decoded from (the sender's). */
  rtpTimestamp: number;
};

/** Messages from the main thread to an inference thread. */
export type ToInferenceThread =
  /** Build the thread's one pipeline (a thread started ahead of need waits for this). */
  | ({ type: 'build' } & InferenceBuild)
  | ({ type: 'process' } & FrameMessage)
  | { type: 'update'; id: number; params: PipelineParams }
  /**
   * Take frames from now on from the media thread at the other end of `port` and send them back
   * there (see `PipelinePort`); only `frameDone` / `frameFailed` reports come here.
   */
  | { type: 'attach'; port: MessagePort }
  | { type: 'close' };

/** Messages from an inference thread to the main thread. */
export type FromInferenceThread =
  /** Its modules are loaded: it waits for `build`. */
  | { type: 'loaded' }
  /** Its build's progress (`loading`, `warming`). */
  | { type: 'state'; state: PipelineState }
  /** Built; `params` are the pipeline's own (its defaults filled in), where it exposes them. */
  | {
      type: 'built';
      executionProviders: readonly ExecutionProviderName[];
      params?: Record<string, unknown>;
    }
  /** The build failed: the thread then waits to be ended. */
  | { type: 'buildFailed'; error: ThreadError }
  | ({ type: 'processed' } & FrameMessage)
  | { type: 'processFailed'; error: ThreadError }
  | ({ type: 'frameDone' } & PortFrameReport)
  | { type: 'frameFailed'; error: ThreadError; framesIn: number; framesDropped: number }
  | { type: 'updated'; id: number; error?: ThreadError; params?: Record<string, unknown> }
  | { type: 'closed' };
