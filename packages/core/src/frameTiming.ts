/**
 * Per-frame timing across the PeerFrame path. Browser-safe: the gateway, the orchestrator and the
 * client SDK share these wire types.
 */

/**
 * When one frame passed an orchestrator, epoch ms on that host's clock: decoded (its I420 reached
 * JS), taken by the pipeline, processed and handed to the encoder. Served by
 * `GET /sessions/:id?framesAfter=N`.
 */
export type FrameTimingRecord = {
  /** Increases by one per processed frame, from 1. */
  seq: number;
  decodedAtMs: number;
  startedAtMs: number;
  doneAtMs: number;
  /**
   * The RTP timestamp of the frame the picture was decoded from, as the gateway sent it (the
   * publisher's: SFUs keep timestamps). The gateway reads its capture time through the
   * publisher's sender reports; the mediasoup backend, which never sees the publisher's frames,
   * joins records to them by it. Absent from orchestrators that predate it.
   */
  sourceRtpTimestamp?: number;
};

/**
 * Medians over one interval of the hops a frame takes, ms, in path order. A hop is undefined when
 * no frame of the interval could be timed across it (no sender report from that peer yet, an
 * orchestrator that does not answer).
 *
 * - `publisherToGateway`: the publisher's capture (its RTP timestamp, placed by its RTCP sender
 *   reports) → the frame's last packet at the gateway. Encode, pacing and the network.
 * - `gatewayToOrchestrator`: forwarded by the gateway → decoded on the orchestrator.
 * - `orchestratorQueue`: decoded → taken by the pipeline (waiting for the previous frame).
 * - `pipeline`: the pipeline's own time.
 * - `orchestratorToGateway`: handed to the encoder → the processed frame's last packet at the
 *   gateway. `orchestratorEncode` is the encoder's share of it, from libwebrtc's video-timing
 *   header extension (timing frames only, about 5 a second).
 * - `gatewayToPublisher`: forwarded to the publisher → decoded there. Measured by the client:
 *   half its ICE round trip plus, per frame, its decoder's time from the last packet to decoded.
 * - `captureToGatewayEgress`: the publisher's capture → the processed frame leaving the gateway
 *   for the publisher, per frame (not the sum of the medians).
 */
export type HopTimings = {
  publisherToGateway: number | undefined;
  gatewayToOrchestrator: number | undefined;
  orchestratorQueue: number | undefined;
  pipeline: number | undefined;
  orchestratorToGateway: number | undefined;
  orchestratorEncode: number | undefined;
  gatewayToPublisher: number | undefined;
  captureToGatewayEgress: number | undefined;
  /** Frames of the interval timed end to end through the gateway. */
  frames: number;
};

/** The hop names, in path order. */
export const hopNames = [
  'publisherToGateway',
  'gatewayToOrchestrator',
  'orchestratorQueue',
  'pipeline',
  'orchestratorToGateway',
  'orchestratorEncode',
  'gatewayToPublisher',
  'captureToGatewayEgress',
] as const satisfies readonly (keyof HopTimings)[];

/**
 * This host's clock as Unix epoch ms with sub-ms resolution: the clock of frame timing records
 * and sender-report estimates.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const ntpToUnixSeconds = 2_208_988_800;

/** A 64-bit NTP timestamp (RTCP sender reports) as Unix epoch ms. */
export function ntpToEpochMs(ntp: bigint): number {
  const seconds = Number(ntp >> 32n) - ntpToUnixSeconds;
  const fraction = Number(ntp & 0xffff_ffffn) / 2 ** 32;
  return (seconds + fraction) * 1000;
}

/** The reverse of `ntpToEpochMs`, for the sender reports a leg writes. */
export { epochMsToNtp } from './epochMsToNtp.ts';
