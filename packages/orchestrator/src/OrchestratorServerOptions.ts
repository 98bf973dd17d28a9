import type { PipelineRegistry } from '@peerframe/pipelines';
import type { OrchestratorPipelinesOptions } from './createOrchestratorPipelines.ts';
import type { HardwareCodecsMode } from './media/NodeAvEngine.ts';
import type { OrchestratorPayments } from './OrchestratorPayments.ts';
import type { WorkerSessionsOptions } from './workers/WorkerSessions.ts';

/** How an `OrchestratorServer` runs (`OrchestratorServer.create`). */
export type OrchestratorServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Concurrent sessions this node accepts (default 4). */
  maxSessions?: number;
  /** Pipelines offered (default: the shipped ones and the installed ones, see `pipelines`). */
  registry?: PipelineRegistry;
  /**
   * Without `registry`: the execution provider, the installed pipelines folder to follow and the
   * node allow-list (`createOrchestratorPipelines`; default: shipped pipelines, provider `auto`).
   */
  pipelines?: OrchestratorPipelinesOptions;
  /** Frames waiting between decoder and pipeline per session, 1 or 2 (default 1). */
  queueCapacity?: number;
  /**
   * A session whose peer has not connected this long after the answer is closed, freeing its
   * capacity (a gateway that vanished after POST /sessions), ms (default 15 000).
   */
  sessionConnectTimeoutMs?: number;
  /** Ticket payments: prices, upfront payment, per-second charges (default: none, sessions are free). */
  payments?: OrchestratorPayments;
  /**
   * Serve `POST /sessions/:id/faults` `{ pipelineDelayMs, durationMs }`, which slows the pipeline
   * on purpose (default false: for fault-injection tests only).
   */
  faultInjection?: boolean;
  /**
   * Pipelines to load and warm at start, in the background (`all`, or names; default none: each
   * is built when a session first asks for it). `/info` shows their state meanwhile.
   */
  warmup?: 'all' | readonly string[];
  /**
   * `auto`: decode and encode on NVDEC/NVENC where a CUDA device runs them, in software
   * otherwise; `off`: software only (default `auto`). `/info` says what was chosen and why.
   */
  hardwareCodecs?: HardwareCodecsMode;
  /** Media threads started ahead of the next sessions (default 2: see `MediaWorkerPoolOptions`). */
  spareMediaThreads?: number;
  /**
   * The operator's token (default none): with it, `GET /sessions` lists every session, and any
   * session can be read, ended or (with `faultInjection`) slowed down. Without one, nobody can
   * list sessions. Take it from the environment or a file, never from process arguments.
   */
  adminToken?: string | undefined;
  /**
   * Remote workers (default none): workers dial in at `/workers` with a credential from
   * `credentials`, and new sessions go to a worker with room before this node's own
   * `maxSessions` (0 for an orchestrator that only dispatches). See docs/worker-protocol.md.
   */
  workers?: WorkerSessionsOptions;
};

export const defaultOrchestratorServerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxSessions: 4,
  queueCapacity: 1,
  sessionConnectTimeoutMs: 15_000,
  faultInjection: false,
  warmup: [],
  hardwareCodecs: 'auto',
  spareMediaThreads: 2,
} as const;
