import type { StreamState } from './ControlChannelTypes.ts';
import type { MediaKind } from './MediaKind.ts';
import type { PipelineParamsSchema } from './PipelineParamsSchema.ts';

/**
 * The gateway's public HTTP API, as the SDK, the studio and tools read it:
 *
 * - `POST /whip?pipeline=<name>&params=<JSON object>` with an `application/sdp` offer → `201`,
 *   `Location: /whip/<streamId>`, the answer, and the `whipAnswerHeaders`
 * - `GET /pipelines` → `PipelineOfferList`; `GET /orchestrators` → `OrchestratorViewList`;
 *   `GET /streams` → `StreamStatsList` (admin only when stream keys are in force)
 * - `GET /healthz` → `GatewayHealth`
 * - every refusal: an `ErrorBody`
 */

/** Headers of a WHIP answer beyond WHIP's own (`Location`, `ETag`, `Link`). */
export const whipAnswerHeaders = {
  /** Where viewers play the processed stream over WHEP (a path on the gateway). */
  playbackUrl: 'peerframe-playback-url',
  /**
   * Where the publisher (only) plays its own unprocessed video over WHEP: a secret, given only
   * in this answer.
   */
  sourcePlaybackUrl: 'peerframe-source-playback-url',
} as const;

/** A pipeline the network offers now, across the gateway's orchestrators (`GET /pipelines`). */
export type PipelineOffer = {
  name: string;
  description: string;
  /** `ready` when an orchestrator has it ready (or builds it on demand), else `warming`. */
  state: 'ready' | 'warming';
  /** Its params, as the first orchestrator offering it describes them. */
  paramsSchema: PipelineParamsSchema;
  /** Lowest price among the orchestrators offering it, decimal wei per second. */
  priceWeiPerSecond: string;
  /** How many orchestrators offer it. */
  orchestrators: number;
  /**
   * What it processes: `['video']`, `['audio']` or both. Absent (gateways from before audio
   * pipelines): video; read it with `pipelineMedia`.
   */
  media?: MediaKind[];
};

export type PipelineOfferList = { pipelines: PipelineOffer[] };

/** What a gateway knows of one orchestrator (`GET /orchestrators`). */
export type OrchestratorView = {
  url: string;
  /** From the gateway's static list, or found on chain. */
  source: 'static' | 'chain';
  /** Its stake, decimal wei (on chain only). */
  stakeWei: string | undefined;
  /** The pipelines it offers (undefined until its `/info` answered). */
  pipelines: string[] | undefined;
  freeSessions: number | undefined;
  draining: boolean;
  rttMs: number | undefined;
  successes: number;
  failures: number;
  /** Times the gateway refused its payment terms (each also counts as a failure). */
  refusedTerms: number;
  /** The code of its last failure that had one (e.g. `ticket_ev_too_high`). */
  lastFailure: string | undefined;
  suspended: boolean;
};

export type OrchestratorViewList = { orchestrators: OrchestratorView[] };

/** One live stream as the gateway counts it (`GET /streams`). */
export type StreamStats = {
  id: string;
  state: StreamState;
  pipeline: string;
  /** The serving orchestrator's URL. */
  orchestrator: string;
  /** The session id this stream has on its orchestrator. */
  orchestratorSessionId: string;
  /** Orchestrator swaps so far. */
  swaps: number;
  /** WHEP playback id (`POST /whep/<playbackId>`). */
  playbackId: string;
  /**
   * The video codec of the stream, both ways (`VP8`, `H264`): the publisher's choice; `none` for
   * an audio-only stream (its packet counters then count its audio).
   */
  codec: string;
  viewers: number;
  packetsFromPublisher: number;
  packetsToOrchestrator: number;
  packetsFromOrchestrator: number;
  packetsToPublisher: number;
  keyframeRequestsToPublisher: number;
  keyframeRequestsToOrchestrator: number;
  /** Packets dropped by fault injection before the SFU (only a keyframe repairs them). */
  packetsDropped: number;
  /** Packets lost by fault injection after the SFU sent them (NACK repairs them). */
  packetsLost: number;
  /** The current orchestrator's price, decimal wei per second ("0" when free). */
  priceWeiPerSecond: string;
  /** Expected value paid to every orchestrator of this stream so far, decimal wei. */
  spentWei: string;
  /** The current orchestrator's count of the stream's credit, decimal wei. */
  balanceWei: string;
  /** The publisher's audio, when its offer sent some (absent for video-only streams). */
  audio?: StreamAudioStats;
};

/**
 * The publisher's audio (Opus) through the gateway: relayed, never processed, and delayed to
 * leave with the processed video it goes with.
 */
export type StreamAudioStats = {
  /** The audio codec (`opus`). */
  codec: string;
  packetsFromPublisher: number;
  /** Packets out of the delay line (each goes to the publisher and to every processed-video viewer). */
  packetsDelayed: number;
  /** Packets dropped when the delay shrank (timestamps never go back). */
  packetsDropped: number;
  /**
   * Packets dropped as stale: they came in a burst behind late ones (a backlog the publisher
   * flushed, e.g. audio GStreamer queued while connecting).
   */
  packetsStale: number;
  /** Times the delay line re-aligned to a changed video delay. */
  realignments: number;
  /**
   * Packets that reached the gateway more than 8 ms after the time the processed video's lag gave
   * them (the publisher sent them late, or the video is faster than the audio's own way in): each
   * left at once, the sound late by as much.
   */
  packetsLate: number;
  /** The most a packet came after its time, ms (0: none late). */
  lateMsMax: number;
  /** The delay the last packet got, ms: the processed video's lag behind the publisher's audio. */
  delayMs: number;
  /**
   * The processed video's lag the audio is matched to (median of recent frames: capture to
   * departure with the publisher's sender reports, else arrival to departure), ms; absent until
   * frames were timed.
   */
  videoLagMs?: number;
};

export type StreamStatsList = { streams: StreamStats[] };

/** `GET /healthz` of a gateway: 503 while it drains. */
export type GatewayHealth = { ok: boolean; draining: boolean; streams: number };
