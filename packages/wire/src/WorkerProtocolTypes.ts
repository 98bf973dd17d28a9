import type {
  ExecutionProviderName,
  OrchestratorPipeline,
  OrchestratorSessionState,
  OrchestratorSessionStats,
  OrchestratorTransportStats,
} from './OrchestratorApiTypes.ts';
import type { PipelineParams } from './PipelineParamsSchema.ts';

/**
 * The worker protocol (docs/worker-protocol.md): a GPU worker dials out to its orchestrator with
 * a WebSocket at `workerProtocolPath`, authenticated by `Authorization: Bearer <worker
 * credential>` on the upgrade request, and exchanges JSON text messages, one per frame. The worker
 * registers first; the orchestrator welcomes it, then sends requests (open a session, change its
 * params, close it, read its stats), each answered by one `reply` with the same `requestId`.
 */

/** The protocol version this code speaks, sent in `register`. */
export const workerProtocolVersion = 1;

/** The orchestrator's path for worker WebSockets. */
export const workerProtocolPath = '/workers';

/** Largest message either side sends, bytes (an SDP offer or a registration is far below it). */
export const maxWorkerMessageBytes = 1024 * 1024;

/** One pipeline a worker runs: `/info`'s entry without the price, which is the orchestrator's. */
export type WorkerPipeline = Omit<OrchestratorPipeline, 'priceWeiPerSecond'>;

/** The GPU (or CPU) a worker's pipelines run on. */
export type WorkerDevice = {
  /** `NVIDIA H200`, `cpu`, … */
  name: string;
  /** Device memory, bytes; null when unknown (a CPU worker). */
  memoryBytes: number | null;
};

/** Worker → orchestrator, first message: who the worker is and what it serves. */
export type WorkerRegisterMessage = {
  type: 'register';
  protocol: number;
  /** A name for logs and `/workers` (not an identity: the credential is). */
  name: string;
  pipelines: WorkerPipeline[];
  /** Sessions it runs at once. */
  maxSessions: number;
  executionProvider: ExecutionProviderName;
  device: WorkerDevice;
};

/** Worker → orchestrator, every `heartbeatIntervalMs`. */
export type WorkerHeartbeatMessage = { type: 'heartbeat'; activeSessions: number };

/**
 * Worker → orchestrator, about once a second per live session: what the session used so far
 * (cumulative), which the orchestrator charges from.
 */
export type WorkerUsageMessage = {
  type: 'usage';
  sessionId: string;
  /** Seconds since its media connected. */
  seconds: number;
  /** Pixels of the frames it sent (width × height summed). */
  pixels: number;
  framesOut: number;
};

/** Worker → orchestrator: a session ended on the worker's side (its peer left, a failure). */
export type WorkerSessionEndedMessage = {
  type: 'session-ended';
  sessionId: string;
  reason: string;
};

/** Worker → orchestrator: the answer to one request. */
export type WorkerReplyMessage =
  | { type: 'reply'; requestId: number; ok: true; result: Record<string, unknown> }
  | { type: 'reply'; requestId: number; ok: false; error: { code: string; message: string } };

export type WorkerToOrchestratorMessage =
  | WorkerRegisterMessage
  | WorkerHeartbeatMessage
  | WorkerUsageMessage
  | WorkerSessionEndedMessage
  | WorkerReplyMessage;

/** Orchestrator → worker, after a registration it accepted. */
export type WorkerWelcomeMessage = {
  type: 'welcome';
  workerId: string;
  /** How often to send `heartbeat`, ms. */
  heartbeatIntervalMs: number;
  /** Silence after which the orchestrator counts the worker lost, ms. */
  heartbeatTimeoutMs: number;
};

/** Orchestrator → worker: a refusal (bad registration, revoked credential); the socket closes. */
export type WorkerRefusedMessage = { type: 'refused'; error: { code: string; message: string } };

/** Orchestrator → worker: take no new session; the worker's live sessions run on. */
export type WorkerDrainMessage = { type: 'drain' };

/** Answer the gateway's offer and run the session; the reply's result is `{ sdp }`. */
export type WorkerOpenSession = {
  kind: 'open';
  sessionId: string;
  sdp: string;
  pipeline: string;
  params: PipelineParams;
};

/** Change a session's params live; the reply's result is `{}`. */
export type WorkerUpdateParams = { kind: 'params'; sessionId: string; params: PipelineParams };

/** End a session; the reply's result is `{}` (also for a session already gone). */
export type WorkerCloseSession = { kind: 'close'; sessionId: string };

/** A session's counters; the reply's result is a `WorkerSessionStats`. */
export type WorkerReadStats = { kind: 'stats'; sessionId: string };

export type WorkerRequest =
  | WorkerOpenSession
  | WorkerUpdateParams
  | WorkerCloseSession
  | WorkerReadStats;

/** Orchestrator → worker: a request, answered by a `reply` with the same `requestId`. */
export type WorkerRequestMessage = { type: 'request'; requestId: number; request: WorkerRequest };

export type OrchestratorToWorkerMessage =
  | WorkerWelcomeMessage
  | WorkerRefusedMessage
  | WorkerDrainMessage
  | WorkerRequestMessage;

/** The result of a `stats` request. */
export type WorkerSessionStats = OrchestratorSessionStats & {
  state: OrchestratorSessionState;
  transport: OrchestratorTransportStats | null;
};

/** What the orchestrator's `GET /workers` (operator only) says of each connected worker. */
export type WorkerView = {
  id: string;
  name: string;
  credentialId: string;
  pipelines: string[];
  maxSessions: number;
  activeSessions: number;
  draining: boolean;
  executionProvider: ExecutionProviderName;
  device: WorkerDevice;
  /** Where its media is reached from the orchestrator (its peer address). */
  address: string;
};
