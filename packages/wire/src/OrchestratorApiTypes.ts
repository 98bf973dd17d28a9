import type { FrameTimingRecord, VideoCodecName } from '@peerframe/core/browser';
import type { MediaKind } from './MediaKind.ts';
import type { PaymentJson, PaymentTerms } from './PaymentJsonTypes.ts';
import type { PipelineParams, PipelineParamsSchema } from './PipelineParamsSchema.ts';

/**
 * The orchestrator node's HTTP API, as the gateway (its client) and the orchestrator both see it:
 *
 * - `POST /sessions` `CreateSessionRequest` → `201 CreateSessionResponse`
 * - `GET /info` (`?sender=<address>` for that sender's ticket params) → `OrchestratorInfo`
 * - with the session's token: `GET /sessions/:id` (`?framesAfter=N`) → `OrchestratorSessionView`,
 *   `POST /sessions/:id/params` `ParamsUpdateRequest` → `OkResponse`,
 *   `POST /sessions/:id/payment` `PaymentRequest` → `PaymentReceipt`, `DELETE /sessions/:id` → 204
 * - with the operator's token: `GET /sessions` → `OrchestratorSessionList`
 * - `GET /healthz` → `OrchestratorHealth`
 * - every refusal: a 4xx or 5xx with an `ErrorBody`
 */

/** `POST /sessions`: the gateway's offer for one stream. */
export type CreateSessionRequest = {
  /** The gateway's SDP offer (one sendrecv video section). */
  sdp: string;
  pipeline: string;
  /** The pipeline's params (default `{}`: every param at its default). */
  params?: PipelineParams;
  /**
   * The upfront payment, when the orchestrator charges for the pipeline. Checked by the
   * payments (`parsePaymentJson`), after capacity and pipeline.
   */
  payment?: PaymentJson;
};

/**
 * The answer to `POST /sessions`: the session id, the SDP answer, and the session's bearer
 * token, shown this once: every later request about the session carries `Authorization: Bearer
 * <token>`. `paramsRetired`: the upfront payment held a winning ticket, so the ticket params it
 * was paid with are retired; the sender fetches new ones before it pays again (absent: false).
 */
export type CreateSessionResponse = {
  id: string;
  sdp: string;
  token: string;
  paramsRetired?: boolean;
};

/**
 * A registered pipeline's state: `idle` until warmed (it can still be built on demand), then
 * `loading` → `warming` → `ready`, or `error` (its `error` says why); `closed` after the node's
 * registry closed.
 */
export type PipelineEntryState = 'idle' | 'loading' | 'warming' | 'ready' | 'error' | 'closed';

/** An execution provider ONNX sessions can run on. */
export type ExecutionProviderName = 'cuda' | 'webgpu' | 'cpu';

/**
 * Where an orchestrator's ONNX sessions run (`--execution-provider`): `'auto'` is CUDA when its
 * libraries load, else CPU.
 */
export type ExecutionProviderChoice = ExecutionProviderName | 'auto';

/** What `/info` says of where a node's ONNX sessions run, resolved once at start. */
export type ExecutionProviderInfo = {
  /** As asked (`--execution-provider`). */
  requested: ExecutionProviderChoice;
  /** What new sessions use. */
  selected: ExecutionProviderName;
  /** `"<provider>: <reason>"` for each preferred provider that could not be used. */
  passedOver: string[];
};

/** One model file of a pipeline, with the sha256 its bytes are checked against before each use. */
export type PipelineModelInfo = { readonly name: string; readonly sha256: string };

/**
 * One pipeline an orchestrator offers. Readers keep the fields they do not know, so a newer
 * orchestrator may add some before every reader knows them.
 */
export type OrchestratorPipeline = {
  name: string;
  description: string;
  /** Its package version (`name@version`): every shipped and installed pipeline has one. */
  version?: string;
  /** Its model files, each with its sha256. */
  models?: PipelineModelInfo[];
  /** The execution providers its sessions run on (once warmed). */
  executionProviders?: ExecutionProviderName[];
  state: PipelineEntryState;
  /** Why it is in `error`. */
  error?: { code: string; message: string };
  /** What each param takes (type, default, limits), for validation and UIs. */
  paramsSchema: PipelineParamsSchema;
  /**
   * What it processes: `['video']`, `['audio']` or both. Absent (nodes from before audio
   * pipelines): video; read it with `pipelineMedia`.
   */
  media?: MediaKind[];
  /** Decimal wei per second ("0" when the node takes no payments). */
  priceWeiPerSecond: string;
};

export type OrchestratorCapacity = {
  maxSessions: number;
  activeSessions: number;
  /** 0 while the node drains. */
  freeSessions: number;
};

/** How a node runs one codec: the codec library's name for it and whether it is a hardware one. */
export type CodecImplementation = {
  /** `libvpx`, `libx264`, `h264_nvenc`, `vp8_cuvid`, … */
  name: string;
  hardware: boolean;
};

/** The node's media engine: what decodes and encodes each codec, and why hardware is used or not. */
export type OrchestratorMediaInfo = {
  /** The engine (`node-av`). */
  engine: string;
  /** The codec library's version (FFmpeg's). */
  version: string;
  /** Hardware codecs: whether they are used, on which device and, when not, why. */
  hardware: { used: boolean; device: string | null; reason: string };
  decoders: Record<VideoCodecName, CodecImplementation>;
  encoders: Record<VideoCodecName, CodecImplementation>;
};

/** `GET /info`: what the node offers. Readers keep the fields they do not know. */
export type OrchestratorInfo = {
  /** True while the node drains: it takes no new session and will stop soon. */
  draining: boolean;
  /** Where its ONNX sessions run (absent when the node was given a pipeline registry of its own). */
  executionProvider?: ExecutionProviderInfo;
  pipelines: OrchestratorPipeline[];
  capacity: OrchestratorCapacity;
  /** How to pay this node; null when its sessions are free. */
  payments: PaymentTerms | null;
  /** Its media engine (absent from a node that does not say). */
  media?: OrchestratorMediaInfo;
};

/** A session on an orchestrator: `connecting` until its peer is up, `live`, then `closed`. */
export type OrchestratorSessionState = 'connecting' | 'live' | 'closed';

/** An orchestrator session's frame counters. */
export type OrchestratorSessionStats = {
  framesIn: number;
  framesOut: number;
  /** Frames replaced in the decoder → pipeline queue by a newer one (latest frame wins). */
  framesDropped: number;
  pipelineErrors: number;
  /** Median pipeline time over the last frames, ms. */
  pipelineMsP50: number;
};

/** A session's media counters: what was decoded, encoded and repaired, and with what. */
export type OrchestratorTransportStats = {
  codec: VideoCodecName;
  /** The implementations decoding and encoding it (`libvpx`, `h264_nvenc`, …). */
  decoder: string;
  /** Null until the first processed picture (the encoder opens at its size). */
  encoder: string | null;
  framesDecoded: number;
  /** RTP payload bytes received (retransmissions included). */
  bytesReceived: number;
  /** Packets never received in time (their frames were given up). */
  packetsLost: number;
  /** Frames whose payload was malformed or that the decoder refused (a keyframe was needed). */
  framesUndecodable: number;
  framesEncoded: number;
  keyframesEncoded: number;
  /** RTP payload bytes sent (retransmissions included). */
  bytesSent: number;
  packetsRetransmitted: number;
  /** Keyframe requests sent to the gateway (PLI) and received from it (PLI, FIR). */
  pliSent: number;
  pliReceived: number;
  nackReceived: number;
  /** Processed pictures dropped before the encoder took them (it fell behind). */
  framesDroppedBeforeEncode: number;
  /** Frames dropped before the decoder took them (it fell half a second behind). */
  framesDroppedBeforeDecode: number;
  /** The encoder's current target, kbps. */
  bitrateKbps: number;
};

/** One session as `GET /sessions` (the operator's list) shows it. */
export type OrchestratorSessionSummary = OrchestratorSessionStats & {
  id: string;
  pipeline: string;
  state: OrchestratorSessionState;
};

/** `GET /sessions` (operator only). */
export type OrchestratorSessionList = { sessions: OrchestratorSessionSummary[] };

/**
 * `GET /sessions/:id`: one session's stats; with `?framesAfter=N`, also its frame timing records
 * after seq N and this host's clock (epoch ms) when the request came and when it was answered
 * (the gateway estimates the clock offset from them).
 */
export type OrchestratorSessionView = OrchestratorSessionSummary & {
  /** The session's credit, decimal wei (negative in debt; "0" when the node is free). */
  balanceWei: string;
  /**
   * Its media counters (the last ones, once it closed); null when its media thread gave none (it
   * ended first, or did not answer within a second).
   */
  transport: OrchestratorTransportStats | null;
  frames?: FrameTimingRecord[];
  receivedAtMs?: number;
  nowMs?: number;
};

/** `POST /sessions/:id/params`: the params to merge into the running ones. */
export type ParamsUpdateRequest = { params: PipelineParams };

/** `POST /sessions/:id/payment`. */
export type PaymentRequest = { payment: PaymentJson };

/** The answer of requests that return nothing else. */
export type OkResponse = { ok: true };

/** `GET /healthz` of an orchestrator. */
export type OrchestratorHealth = { ok: boolean; sessions: number };
