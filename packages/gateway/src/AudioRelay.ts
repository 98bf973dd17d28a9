import { opusClockRateHz } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import { AudioDelay, defaultAudioDelayOptions } from './AudioDelay.ts';
import { SenderClock } from './clocks/SenderClock.ts';
import type { FrameLag, FrameTimeline } from './FrameTimeline.ts';
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
  /**
   * Follow each processed frame's lag as it leaves (`FrameTimeline.frameLag`) instead of the
   * median of the last frames joined (default false). Replaying frame timings recorded at 720p on
   * a busy machine it keeps each click within 23 ms of its flash where the median misses by up to
   * 150 ms, at the cost of a gap or a skip in the sound at each jump. End to end it was worse:
   * GStreamer at 512² on a loaded machine (load ~12) got the sound late (offset p50 +60 ms, some
   * packets held 200–260 ms) where the median gave +10 ms. That run predates `AudioDelay`
   * numbering its packets one more each as they leave: until then each packet dropped left a gap
   * in the sequence numbers, and GStreamer's jitter buffer held the sound ~200 ms at each gap
   * waiting for packets that never come; this mode drops packets at every fall of the lag (7
   * numbers missing in the 720p replay of `AudioRelay.test.ts`, none in the median mode's steady
   * delay). It stays off until it is measured end to end again on a machine with cores to spare
   * (runs at load 23–34 paired 0–3 flashes of 7–18, in either mode).
   */
  followFrames?: boolean;
  /**
   * With `followFrames`, the delay follows each processed frame's lag as it leaves once that moved more than this from
   * the lag followed, ms (default 15): smaller moves are jitter no viewer notices, and each move
   * costs the sound a gap (the lag grew) or a dropped packet (it shrank).
   */
  lagStepMs?: number;
  /**
   * With `followFrames`, a packet whose video has not left by the time the lag followed says it should have waits for
   * it, ms (default 400, the gateway's stall timeout): a lag that jumps up shows only when the late
   * frame leaves. Its video is the first frame captured at most `videoSlackMs` before it.
   */
  videoWaitMs?: number;
  /** How much earlier than a packet the frame it waits for may be captured, ms (default 25). */
  videoSlackMs?: number;
};

export const defaultAudioRelayOptions = {
  maxDelayMs: 2_000,
  arrivalDriftMsPerSecond: 0.2,
  staleAfterMs: 8,
  followFrames: false,
  lagStepMs: 15,
  videoWaitMs: 400,
  videoSlackMs: 25,
} as const;

/** A packet waiting in the relay until its video leaves; `skip`: a stale one, to be skipped. */
type Pending = {
  packet: SfuPacket;
  arrivedAtMs: number;
  /** Capture time on the publisher's clock (its sender reports); undefined before them. */
  senderMs: number | undefined;
  steadyArrivalMs: number;
  skip: boolean;
};

export type AudioRelayStats = {
  packetsIn: number;
  packetsOut: number;
  packetsDropped: number;
  /** Packets that arrived in a burst behind others (a flushed backlog), dropped as stale. */
  packetsStale: number;
  realignments: number;
  /**
   * Packets that reached the gateway more than the delay line's tolerance after the time the
   * video's lag gave them (the publisher sent them late): each left at once, the sound that late.
   */
  packetsLate: number;
  /** The most a packet came after its time, ms (0: none late). */
  lateMsMax: number;
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
 * none) leaves at `c + lag`, `lag` being the time from a video frame's capture to its processed
 * frame leaving the gateway: that of the last processed frame that left (`FrameTimeline.frameLag`,
 * followed in steps over `lagStepMs`), and a packet whose video is late waits for it (at most
 * `videoWaitMs`), so the sound follows the video even when its lag jumps from frame to frame;
 * before frames can be timed one by one, the median of the last frames joined
 * (`FrameTimeline.videoDelay`). When the lag grows the sound has a gap (receivers conceal it);
 * when it falls, the packets the video has passed are dropped (the sound skips ahead). With
 * reports, `c` and the video's capture times are both read on the publisher's own clock, so no
 * estimate of its offset to the gateway's enters; a burst of packets that came late (a flushed
 * backlog) is dropped as stale rather than played out late. Audio and the video it goes with then
 * leave together, and the legs' sender reports (the video's at each frame's departure, the
 * audio's on `AudioDelay`'s one output clock) map both to the same gateway clock, so a receiver's
 * lip sync lines them up. Before half a second of frames is joined the lag is 0; after a failover
 * it stays at the old orchestrator's (median) until the new one's frames are joined.
 *
 * The orchestrator's processed audio keeps the publisher's RTP timestamps, so the same clocks place
 * it: a packet still leaves at its capture time plus the video's lag, so the audio path's own time
 * (decode, pipeline, encode) is absorbed while it is shorter than that lag. An audio pipeline's
 * algorithmic delay (`latencyUs`, e.g. RNNoise's) is taken off the timestamps at the orchestrator.
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
  readonly #followFrames: boolean;
  readonly #lagStepMs: number;
  readonly #videoWaitMs: number;
  readonly #videoSlackMs: number;
  /** The last processed frame that left. */
  #lastFrame: FrameLag | undefined;
  /** The processed frame lag followed (moved only by more than `lagStepMs`). */
  #followed: FrameLag | undefined;
  /** Packets in arrival order, each waiting until its video has left. */
  readonly #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #stopFollowing: () => void;
  #packetsLate = 0;
  #lateMsMax = 0;

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
    this.#followFrames = options.followFrames ?? defaultAudioRelayOptions.followFrames;
    this.#lagStepMs = options.lagStepMs ?? defaultAudioRelayOptions.lagStepMs;
    this.#videoWaitMs = options.videoWaitMs ?? defaultAudioRelayOptions.videoWaitMs;
    this.#videoSlackMs = options.videoSlackMs ?? defaultAudioRelayOptions.videoSlackMs;
    this.#stopFollowing = timeline.onFrameLag((lag) => this.#follow(lag));
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
    // The packets before this one were late, this one too (it came right behind them): sending
    // it would make the delay line drop packets one by one while the burst lasts.
    const skip = offsetMs < leaked - this.#staleAfterMs;
    const steadyArrivalMs = this.#arrival.offsetMs + unwrapped / ticksPerMs;
    const senderMs = this.clock.confirmed ? this.clock.senderMs(timestamp) : undefined;
    this.#pending.push({ packet, arrivedAtMs, senderMs, steadyArrivalMs, skip });
    this.#flush();
  }

  /**
   * A processed frame left: packets waiting for it may go, and the delay follows its lag once that
   * moved more than a step.
   */
  #follow(lag: FrameLag): void {
    if (!this.#followFrames) return;
    this.#lastFrame = lag;
    const followed = this.#followed;
    const moved = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? a !== b : Math.abs(a - b) > this.#lagStepMs;
    if (
      !followed ||
      moved(lag.senderToEgressMs, followed.senderToEgressMs) ||
      moved(lag.transitMs, followed.transitMs)
    ) {
      this.#followed = lag;
      // The lag shrank: the packets now late by more than the delay line's tolerance are audio
      // the video has passed; they are dropped (sent, they would be a burst the delay line clips
      // at its newest end: the packets in sync with the frame that just left).
      const shrank =
        followed !== undefined &&
        (lag.senderToEgressMs ?? lag.transitMs) < (followed.senderToEgressMs ?? followed.transitMs);
      this.#flush(shrank ? defaultAudioDelayOptions.toleranceMs : undefined);
      return;
    }
    this.#flush();
  }

  /** Whether the packet's video has yet to leave (on the publisher's clock; else not known). */
  #videoPending(pending: Pending): boolean {
    const sourceMs = this.#timeline.frameLag() && this.#lastFrame?.sourceSenderMs;
    return (
      pending.senderMs !== undefined &&
      sourceMs !== undefined &&
      sourceMs < pending.senderMs - this.#videoSlackMs
    );
  }

  /** When a packet leaves: its capture plus the video's lag, at most `maxDelayMs` after arrival. */
  #sendAtMs(pending: Pending): number {
    const median = this.#timeline.videoDelay();
    const frame = this.#timeline.frameLag() && this.#followed;
    const transitMs = frame ? frame.transitMs : median.transitMs;
    const senderToEgressMs = frame ? frame.senderToEgressMs : median.senderToEgressMs;
    // Both on the publisher's clock (audio and video reports share it): no offset to estimate.
    const { senderMs } = pending;
    const byCapture = senderMs !== undefined && senderToEgressMs !== undefined;
    const offsetMs = this.#timeline.publisherClock.offsetMs;
    this.#lagMs = byCapture
      ? offsetMs === undefined
        ? undefined
        : senderToEgressMs - offsetMs
      : transitMs;
    const sendAtMs = byCapture
      ? senderMs + senderToEgressMs
      : pending.steadyArrivalMs + (transitMs ?? 0);
    return Math.min(pending.arrivedAtMs + this.#maxDelayMs, sendAtMs);
  }

  /**
   * Hands the delay line the packets whose time has come, and sets a timer for the next; with
   * `dropLateMs`, drops those due longer ago than that instead (a late timer drops nothing).
   */
  #flush = (dropLateMs?: number): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const nowMs = epochNowMs();
    for (;;) {
      const head = this.#pending[0];
      if (!head) return;
      if (head.skip) {
        this.#pending.shift();
        this.#delay.skip(head.packet);
        continue;
      }
      const sendAtMs = this.#sendAtMs(head);
      const dueAtMs = this.#videoPending(head) ? sendAtMs + this.#videoWaitMs : sendAtMs;
      // Within half a millisecond is due: a timer would fire no sooner.
      if (dueAtMs > nowMs + 0.5) {
        this.#timer = setTimeout(this.#flush, dueAtMs - nowMs);
        return;
      }
      this.#pending.shift();
      if (dropLateMs !== undefined && sendAtMs < nowMs - dropLateMs) {
        this.#delay.drop(head.packet);
        continue;
      }
      // A time already past is kept as it is (the packet leaves at once): clamping it to now
      // would hand the delay line each packet's jitter as a change of delay. One that arrived
      // after it came late from the publisher: the sound is that late.
      const lateMs = head.arrivedAtMs - sendAtMs;
      if (lateMs > defaultAudioDelayOptions.toleranceMs) {
        this.#packetsLate++;
        this.#lateMsMax = Math.max(this.#lateMsMax, lateMs);
      }
      this.#delay.push(head.packet, sendAtMs, nowMs);
    }
  };

  /** The stream's audio figures (`StreamStats.audio`), with what the publisher sent. */
  streamStats(codec: string, packetsFromPublisher: number) {
    const { packetsIn: _packetsIn, packetsOut, videoLagMs, ...counts } = this.stats();
    return {
      codec,
      packetsFromPublisher,
      packetsDelayed: packetsOut,
      ...counts,
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
      packetsLate: this.#packetsLate,
      lateMsMax: Math.round(this.#lateMsMax * 10) / 10,
      delayMs: Math.round(delay.delayMs * 10) / 10,
      videoLagMs: this.#lagMs === undefined ? undefined : Math.round(this.#lagMs * 10) / 10,
    };
  }

  close(): void {
    this.#stopFollowing();
    clearTimeout(this.#timer);
    this.#pending.length = 0;
    this.#delay.close();
  }
}
