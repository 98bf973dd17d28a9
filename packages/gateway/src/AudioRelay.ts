import { opusClockRateHz } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import { AudioDelay } from './AudioDelay.ts';
import { SenderClock } from './clocks/SenderClock.ts';
import type { FrameTimeline } from './FrameTimeline.ts';
import type { SfuLeg } from './SfuAdapter.ts';
import type { SfuPacket } from './SfuPacket.ts';

export type AudioRelayOptions = {
  /** Longest delay audio gets, ms (default 2 000): beyond it the video is too late to wait for. */
  maxDelayMs?: number;
  /**
   * How fast the arrival clock may move later, ms per second (default 0.2: 200 ppm, more than
   * any sound card's drift): it follows the earliest arrival at once, later ones only this fast,
   * so jitter never reads as a change of delay.
   */
  arrivalDriftMsPerSecond?: number;
  /**
   * A packet that comes this much earlier than the arrival clock expects, ms (default 8), shows
   * that the ones before it were late: a backlog being flushed (GStreamer sends the audio it
   * queued while connecting, seconds of it, in one burst). Such packets are dropped as stale.
   */
  staleAfterMs?: number;
};

export const defaultAudioRelayOptions = {
  maxDelayMs: 2_000,
  arrivalDriftMsPerSecond: 0.2,
  staleAfterMs: 8,
} as const;

export type AudioRelayStats = {
  packetsIn: number;
  packetsOut: number;
  packetsDropped: number;
  /** Packets that arrived in a burst behind others (a flushed backlog), dropped as stale. */
  packetsStale: number;
  realignments: number;
  /** The delay the last packet got, ms. */
  delayMs: number;
  /** The processed video's lag the audio is matched to, ms; undefined before it was measured. */
  videoLagMs: number | undefined;
};

/**
 * The stream's audio on its way back: the publisher's own (video-only pipelines), or the
 * orchestrator's processed audio when the pipeline processes audio. Either way it is delayed by as
 * much as the processed video lags, then sent to the publisher and to the viewers beside the video.
 *
 * A packet captured at `c` (the publisher's audio sender reports; its arrival when there are
 * none) leaves at `c + lag`, `lag` being the median time from a video frame's capture to its
 * processed frame leaving the gateway (`FrameTimeline.videoDelay`). With reports, `c` and the
 * video's capture times are both read on the publisher's own clock, so no estimate of its offset
 * to the gateway's enters; a burst of packets that came late (a flushed backlog) is dropped as
 * stale rather than played out late. Audio and the video it goes with then leave together, and
 * the legs' sender reports (the video's at each frame's departure, the audio's on `AudioDelay`'s
 * one output clock) map both to the same gateway clock, so a receiver's lip sync lines them up.
 * Before half a second of frames is joined the lag is 0; after a
 * failover it stays at the old orchestrator's until the new one's frames are joined.
 *
 * The orchestrator's processed audio keeps the publisher's RTP timestamps, so the same clocks place
 * it: a packet still leaves at its capture time plus the video's lag, so the audio path's own time
 * (decode, pipeline, encode) is absorbed while it is shorter than that lag. An audio pipeline's
 * algorithmic delay (`latencyUs`, e.g. RNNoise's 20 ms) is not compensated yet.
 */
export class AudioRelay {
  readonly clock = new SenderClock(opusClockRateHz);
  readonly #timeline: FrameTimeline;
  readonly #delay: AudioDelay;
  readonly #maxDelayMs: number;
  readonly #arrivalDrift: number;
  readonly #staleAfterMs: number;
  /** The arrival clock: arrival − timestamp / 48 of the earliest packet, leaking later (ms). */
  #arrival: { offsetMs: number; atMs: number } | undefined;
  /** The lag the last packet was given, ms (undefined before the video's was known). */
  #lagMs: number | undefined;
  /** The last timestamp and its unwrapped value (timestamps wrap at 2³²). */
  #last: { timestamp: number; unwrapped: number } | undefined;

  /** `targets`: the legs the delayed audio goes to (the publisher, viewers of the processed video). */
  constructor(
    timeline: FrameTimeline,
    targets: () => Iterable<SfuLeg>,
    options: AudioRelayOptions = {},
  ) {
    this.#timeline = timeline;
    this.#maxDelayMs = options.maxDelayMs ?? defaultAudioRelayOptions.maxDelayMs;
    this.#arrivalDrift =
      (options.arrivalDriftMsPerSecond ?? defaultAudioRelayOptions.arrivalDriftMsPerSecond) / 1000;
    this.#staleAfterMs = options.staleAfterMs ?? defaultAudioRelayOptions.staleAfterMs;
    this.#delay = new AudioDelay((packet, senderTimeMs) => {
      for (const leg of targets()) leg.sendAudio?.(packet.clone(), senderTimeMs);
    });
  }

  /** An audio packet arrived (now): it leaves when the video it goes with does. */
  push(packet: SfuPacket, arrivedAtMs = epochNowMs()): void {
    const timestamp = packet.header.timestamp;
    const ticksPerMs = opusClockRateHz / 1000;
    const unwrapped = this.#last
      ? this.#last.unwrapped + ((timestamp - this.#last.timestamp) | 0)
      : timestamp;
    this.#last = { timestamp, unwrapped };
    // The least delayed packet sets when packets "should" arrive: jitter is not lag.
    const offsetMs = arrivedAtMs - unwrapped / ticksPerMs;
    const arrival = this.#arrival;
    const leaked = arrival
      ? arrival.offsetMs + (arrivedAtMs - arrival.atMs) * this.#arrivalDrift
      : offsetMs;
    this.#arrival = { offsetMs: Math.min(leaked, offsetMs), atMs: arrivedAtMs };
    if (offsetMs < leaked - this.#staleAfterMs) {
      // The packets before this one were late, this one too (it came right behind them): sending
      // it would make the delay line drop packets one by one while the burst lasts.
      this.#delay.skip(packet);
      return;
    }
    const steadyArrivalMs = this.#arrival.offsetMs + unwrapped / ticksPerMs;
    const { transitMs, captureToEgressMs, senderToEgressMs } = this.#timeline.videoDelay();
    // Both on the publisher's clock (audio and video reports share it): no offset to estimate.
    const senderMs = this.clock.confirmed ? this.clock.senderMs(timestamp) : undefined;
    const byCapture = senderMs !== undefined && senderToEgressMs !== undefined;
    this.#lagMs = byCapture ? captureToEgressMs : transitMs;
    const sendAtMs = byCapture ? senderMs + senderToEgressMs : steadyArrivalMs + (transitMs ?? 0);
    // A time already past is kept as it is (the packet leaves at once): clamping it to the
    // arrival would hand the delay line each packet's jitter as a change of delay.
    this.#delay.push(packet, Math.min(arrivedAtMs + this.#maxDelayMs, sendAtMs), arrivedAtMs);
  }

  /** The stream's audio figures (`StreamStats.audio`), with what the publisher sent. */
  streamStats(codec: string, packetsFromPublisher: number) {
    const { packetsOut, packetsDropped, packetsStale, realignments, delayMs, videoLagMs } =
      this.stats();
    return {
      codec,
      packetsFromPublisher,
      packetsDelayed: packetsOut,
      packetsDropped,
      packetsStale,
      realignments,
      delayMs,
      ...(videoLagMs === undefined ? {} : { videoLagMs }),
    };
  }

  stats(): AudioRelayStats {
    const delay = this.#delay;
    return {
      packetsIn: delay.packetsIn,
      packetsOut: delay.packetsOut,
      packetsDropped: delay.packetsDropped,
      packetsStale: delay.packetsSkipped,
      realignments: delay.realignments,
      delayMs: Math.round(delay.delayMs * 10) / 10,
      videoLagMs: this.#lagMs === undefined ? undefined : Math.round(this.#lagMs * 10) / 10,
    };
  }

  close(): void {
    this.#delay.close();
  }
}
