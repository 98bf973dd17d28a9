import type { HopTimings } from '@peerframe/core/browser';
import type { ErrorBody } from './ErrorBody.ts';
import type { StreamStats } from './GatewayApiTypes.ts';
import type { PipelineParams } from './PipelineParamsSchema.ts';

/**
 * The gateway's control channel: socket.io on its HTTP server, namespace `controlNamespace`. A
 * client (with `auth: { streamKey }` when keys are in force) `join`s a stream it published and
 * `update`s its params live; the gateway sends the stream's `state`, `stats` every second, the
 * serving `orchestrator`, each `payment` and `error`s to the clients that joined.
 */
export const controlNamespace = '/streams';

/**
 * The gateway's view of a stream: `connecting` until the publisher's leg is up, `warming` until
 * the first processed frame, `live`, `reconnecting` while it moves to another orchestrator,
 * `ended`.
 */
export type StreamState = 'connecting' | 'warming' | 'live' | 'reconnecting' | 'ended';

/**
 * The order of a stream's states: the gateway that holds the stream counts its changes (0 for the
 * first state, one more with each change) and sends the count with each `state` event and in the
 * `join` reply, so a client keeps the state with the highest and never takes an older one for a
 * newer (events and a join reply can cross, on one gateway or through another). Absent from
 * gateways that predate it: a client then takes each event as the newest.
 */
export type StateSeq = number;

export type StreamStateEvent = { streamId: string; state: StreamState; stateSeq?: StateSeq };

/** One second of a stream, from the gateway. */
export type StreamStatsEvent = {
  streamId: string;
  /** Frames per second from the publisher, and processed back to it. */
  fpsIn: number;
  fpsOut: number;
  bitrateInKbps: number;
  bitrateOutKbps: number;
  /**
   * Per-hop medians of the second's frames, ms (`gatewayToPublisher` is the client's to
   * measure); JSON leaves out the hops no frame could be timed across.
   */
  hops: Partial<HopTimings>;
  /** Median pipeline time on the orchestrator, ms (absent when it did not answer). */
  pipelineMsP50?: number | undefined;
  /** Frames the orchestrator's latest-frame queue dropped so far (absent likewise). */
  framesDropped?: number | undefined;
  /** Orchestrator swaps so far. */
  swaps: number;
  viewers: number;
};

/** The stream is now served by this orchestrator (at start and after each failover). */
export type StreamOrchestratorEvent = {
  streamId: string;
  url: string;
  /** Decimal wei per second ("0" when the orchestrator does not charge). */
  priceWeiPerSecond: string;
};

/** After each payment, decimal wei. */
export type StreamPaymentEvent = {
  streamId: string;
  priceWeiPerSecond: string;
  /** Paid to every orchestrator of the stream so far. */
  spentWei: string;
  /** The current orchestrator's count of the stream's credit (negative in debt). */
  balanceWei: string;
};

export type StreamErrorEvent = { streamId: string; code: string; message: string };

/** Events the gateway sends a control client. */
export type ControlServerToClientEvents = {
  state: (event: StreamStateEvent) => void;
  stats: (event: StreamStatsEvent) => void;
  orchestrator: (event: StreamOrchestratorEvent) => void;
  payment: (event: StreamPaymentEvent) => void;
  error: (event: StreamErrorEvent) => void;
};

export type JoinRequest = { streamId: string };
/** `params`: the whole set the stream should run with (merged into the running ones). */
export type UpdateRequest = { streamId: string; params: PipelineParams };

/** A refused request: the same `{ code, message }` as an HTTP error body. */
export type ControlRefusal = { ok: false } & ErrorBody;
export type JoinReply = {
  ok: true;
  state: StreamState;
  /** The stream's `StateSeq` at `state` (absent from gateways that predate it). */
  stateSeq?: StateSeq;
  params: PipelineParams;
  stats: StreamStats;
};
export type UpdateReply = { ok: true; params: PipelineParams };

/** Requests a control client sends; the gateway acknowledges each. */
export type ControlClientToServerEvents = {
  join: (request: JoinRequest, ack: (reply: JoinReply | ControlRefusal) => void) => void;
  update: (request: UpdateRequest, ack: (reply: UpdateReply | ControlRefusal) => void) => void;
};
