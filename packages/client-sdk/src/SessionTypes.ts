import type { HopTimings } from '@peerframe/core/browser';
import type { ServingOrchestrator, SessionPayment } from './ControlClient.ts';
import type { SessionAudioOption } from './SessionAudio.ts';

export { SessionError } from './SessionError.ts';

/** Where a session is: `warming` while the pipeline loads; `ended` once closed or given up. */
export type SessionState = 'connecting' | 'warming' | 'live' | 'reconnecting' | 'ended';

/** One second of a session: the gateway's counters, this peer's own, and the measured latency. */
export type SessionStats = {
  /** The stream's id on the gateway (changes when the session reconnects). */
  streamId: string | undefined;
  /** Frames per second the gateway receives from us, and sends back processed. */
  fpsIn: number | undefined;
  fpsOut: number | undefined;
  bitrateInKbps: number | undefined;
  bitrateOutKbps: number | undefined;
  /** Median pipeline time on the orchestrator, ms. */
  pipelineMsP50: number | undefined;
  /** Frames the orchestrator's latest-frame queue dropped so far. */
  framesDropped: number | undefined;
  /** What this peer's encoder sends and its decoder receives, frames per second. */
  fpsSent: number | undefined;
  fpsReceived: number | undefined;
  /** Median glass-to-glass latency over the last interval, ms (with `measureLatency`). */
  latencyMs: number | undefined;
  /** 95th percentile of the same, ms. */
  latencyP95Ms: number | undefined;
  /** Frames whose latency was measured in the last interval. */
  latencySamples: number;
  /**
   * Where the time goes, hop by hop (medians of the last second, ms): the gateway times the
   * path from our capture to its forwarding of the processed frame back; this session adds
   * `gatewayToPublisher` (half its round trip plus its decoder's last packet → decoded time).
   * Undefined until the gateway has reported a second.
   */
  hops: HopTimings | undefined;
  /** Orchestrator swaps the gateway made for this stream (failovers). */
  swaps: number | undefined;
  /** Times this session reconnected to the gateway. */
  reconnects: number;
};

/** What the `error` event carries: a stable code, a message for people, whether it may pass. */
export type SessionErrorEvent = { code: string; message: string; retryable: boolean };

export type SessionEvents = {
  state: [SessionState];
  stats: [SessionStats];
  /** The orchestrator now serving the stream, with its price. */
  orchestrator: [ServingOrchestrator];
  /** A payment for the stream (wei as bigint). */
  payment: [SessionPayment];
  /** The processed track (or the sound back) changed; `output` holds the new one. */
  output: [MediaStream];
  error: [SessionErrorEvent];
};

export type SessionOptions = {
  /** The gateway's base URL, e.g. `https://gateway.example` or `http://127.0.0.1:8088`. */
  gatewayUrl: string;
  /** The stream key, when the gateway requires one. */
  streamKey?: string;
  /** The pipeline to run, e.g. `invert`, `background-blur`. */
  pipeline: string;
  /** Its params; `update()` changes them live and they are kept across reconnects. */
  params?: Record<string, unknown>;
  /**
   * The sound sent beside the video (default true: the published stream's audio track, if any;
   * see `SessionAudioOption`). What comes back — delayed to stay in sync with the processed video —
   * is `output`'s audio track. Chosen at the first `publish()`.
   */
  audio?: SessionAudioOption;
  /**
   * Measure glass-to-glass latency in the page (default false): the published video carries a
   * frame number in a thin band at its top, read back from the output. Browsers only.
   */
  measureLatency?: boolean;
  /** Makes peer connections (default: the global `RTCPeerConnection`). */
  peerConnectionFactory?: (configuration: RTCConfiguration) => RTCPeerConnection;
  /** Makes the output stream (default: the global `MediaStream`). */
  mediaStreamFactory?: () => MediaStream;
  /** How long one connection attempt may take, ms (default 15 000). */
  connectTimeoutMs?: number;
  /** First delay before reconnecting, doubled each failed attempt up to `maxReconnectDelayMs`, ms. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How long a disconnected peer may stay so before the session reconnects, ms. */
  disconnectedGraceMs?: number;
  /** How often `stats` fire, ms. */
  statsIntervalMs?: number;
};

export const defaultSessionOptions = {
  connectTimeoutMs: 15_000,
  reconnectDelayMs: 500,
  maxReconnectDelayMs: 8_000,
  disconnectedGraceMs: 2_500,
  statsIntervalMs: 1_000,
} as const satisfies Partial<SessionOptions>;
