import { BaseError } from '@peerframe/core';
import type { HopTimings } from '@peerframe/core/frameTiming';
import type { BitrateHints } from '@peerframe/core/sdp';
import type { Wei } from '@peerframe/protocol';
import type { MediaKind, StreamState } from '@peerframe/wire';
import type { AudioRelayOptions } from './AudioRelay.ts';
import type { LoopStalls } from './LoopStalls.ts';
import type { OrchestratorClient } from './OrchestratorClient.ts';
import type { SfuAdapter } from './SfuAdapter.ts';
import type { StreamPayment, StreamPayments } from './StreamPayer.ts';

export class StreamFailedError extends BaseError {
  override name = 'StreamFailedError';
}

/** One second of a stream, as the gateway sees it. */
export type StreamRates = {
  /** Frames per second from the publisher (RTP marker bits). */
  fpsIn: number;
  /** Processed frames per second back to the publisher. */
  fpsOut: number;
  bitrateInKbps: number;
  bitrateOutKbps: number;
  /** Per-hop medians of the frames of this second (`gatewayToPublisher` is the client's to measure). */
  hops: HopTimings;
};

export type StreamSessionEvents = {
  /** The new state, and the count of the stream's state changes with it (`stateSeq`). */
  state: [StreamState, number];
  /** Every second while the stream lives. */
  rates: [StreamRates];
  /** The stream is now served by this orchestrator (at start and after each failover). */
  orchestrator: [{ url: string; sessionId: string; priceWeiPerSecond: Wei }];
  /** A payment to the current orchestrator went through (every second while it charges). */
  payment: [StreamPayment & { totalSpentWei: Wei }];
  /** An orchestrator failed and the stream moves away from it. */
  failover: [{ from: string; reason: string }];
  /** The stream ended because of a failure (after `state: ended`). */
  error: [StreamFailedError];
};

export type StreamSessionOptions = {
  pipeline: string;
  params: Record<string, unknown>;
  /** Picks an orchestrator, skipping the URLs in `exclude`; throws when none is left. */
  selectOrchestrator: (exclude: ReadonlySet<string>) => OrchestratorClient;
  /** Makes the WebRTC legs (default werift, in-process). */
  sfu?: SfuAdapter | undefined;
  /** Pays orchestrators that charge (default: none; an orchestrator that charges then refuses the stream). */
  payments?: StreamPayments | undefined;
  /** Highest price this stream pays, wei per second (default: the payments' own maximum). */
  maxPriceWeiPerSecond?: Wei | undefined;
  /**
   * Called when an orchestrator failed this stream (so the gateway can suspend it), with the
   * error when there is one (e.g. a `PaymentError` naming the safeguard its params broke).
   */
  onOrchestratorFailed?: (url: string, cause?: unknown) => void;
  /**
   * Checks the stream's pipeline and params against what this orchestrator says it takes, before
   * anything is paid to it; throws (a 4xx `HttpError`) when it would refuse them (default: none).
   * `streamMedia`: what the stream is processed on (video; audio for a stream without video).
   * Resolves to what the pipeline processes there: with `'audio'` (and a publisher sending
   * Opus), the orchestrator leg carries the audio too, and its processed audio replaces the
   * publisher's on the way back.
   */
  checkParams?: (
    client: OrchestratorClient,
    params: Record<string, unknown>,
    streamMedia: MediaKind,
  ) => Promise<readonly MediaKind[] | undefined>;
  /** Bitrate the publisher's and the orchestrators' encoders start at and keep within. */
  bitrate: BitrateHints;
  /** Write playout delay 0 on every forwarded packet (default true). */
  zeroPlayoutDelay?: boolean;
  /** Shortest time between two keyframe requests forwarded to the same side, ms (default 250). */
  keyframeRequestIntervalMs?: number;
  /** No processed packet for this long while the publisher's packets flow means the orchestrator is lost, ms (default 400). */
  stallTimeoutMs?: number;
  /** How the returned audio is delayed to match the processed video (`AudioRelay`'s defaults). */
  audioRelay?: AudioRelayOptions | undefined;
  /** A new orchestrator gets this long for its first processed packet, ms (default 3000). */
  firstPacketTimeoutMs?: number;
  /**
   * A publisher whose leg is not connected this long after its offer was answered ends the
   * stream, freeing the orchestrator session it holds, ms (default 3 000).
   */
  publisherConnectTimeoutMs?: number;
  /**
   * A connected publisher that sends no RTP (video or audio) this long is gone (its network, its
   * process), though its leg may never say so: consent is not checked on every backend (see
   * "ICE consent" in docs/architecture.md). Its stream ends, and with it the orchestrator session
   * and the payments, ms (default 30 000; 0: never).
   */
  publisherSilenceTimeoutMs?: number;
  /** A WHEP viewer whose leg is not connected this long after its answer is dropped, ms (default 3 000). */
  viewerConnectTimeoutMs?: number;
  /**
   * ICE candidates the gateway would check (`countUdpCandidates`) the publisher may name, in its
   * offer and PATCHes together; each is a destination of the gateway's STUN requests (default 12).
   */
  maxRemoteCandidates?: number;
  /** WHEP viewers one stream takes (default 50). */
  maxViewers?: number;
  /** At most this many orchestrator swaps within `swapWindowMs` before the stream ends (default 5). */
  maxSwaps?: number;
  swapWindowMs?: number;
  /** The gateway's own event loop, whose stalls do not count as an orchestrator's silence (default `LoopStalls.process()`). */
  loopStalls?: LoopStalls;
};

/** Defaults of the connect timeouts and the candidate bound (the other options default in place). */
export const defaultStreamSessionOptions = {
  publisherConnectTimeoutMs: 3_000,
  publisherSilenceTimeoutMs: 30_000,
  viewerConnectTimeoutMs: 3_000,
  maxRemoteCandidates: 12,
} as const;
