import { epochNowMs, type FrameTimingRecord, type HopTimings } from '@peerframe/core/frameTiming';
import { SenderClock } from './clocks/SenderClock.ts';
import type { VideoTiming } from './videoTiming.ts';

/** Joined frames the video delay estimate is the median of (about 3 s at 30 fps). */
const delayFramesKept = 90;
/**
 * Joined frames needed before the video delay is given (half a second at 30 fps): the first
 * frames of a session are slow (decoder and pipeline warming up), and a median of a few of them
 * would have audio delayed by that, then cut back.
 */
const delayFramesNeeded = 15;
/**
 * A joined frame that reached the gateway this much later than the least delayed of those kept
 * (against its own RTP clock) came in a flushed backlog, ms: it is left out of the video's delay.
 * GStreamer queues what it captures before it connects and sends it all at once: half a second
 * of frames whose lag (from capture) is their wait, not the video path's, and would have the
 * sound delayed as much, then cut back.
 */
const backlogMs = 150;
/** Frames of each side kept for joining (about 4 s at 30 fps: orchestrator records come each second). */
const framesKept = 120;
/** A processed frame is matched to an orchestrator record when their times differ by less, ms. */
const matchToleranceMs = 12;
/** A record whose processed frame has not arrived after this long is given up, ms. */
const recordPatienceMs = 500;

type PublisherFrame = { rtpTimestamp: number; arrivedAtMs: number };
/** The publisher frame a record decoded; when it reached the gateway, where that is known. */
type SourceFrame = { rtpTimestamp: number; arrivedAtMs: number | undefined };
type ReturnedFrame = {
  rtpTimestamp: number;
  arrivedAtMs: number;
  videoTiming: VideoTiming | undefined;
  matched: boolean;
};
type HopSample = Omit<HopTimings, 'frames'>;

/**
 * How long the gateway's processed video lags the publisher's, as the median of the last frames
 * joined (ms); undefined until half a second of frames (15) were joined.
 */
export type VideoDelay = {
  /**
   * From a frame's arrival from the publisher to its processed frame's departure, gateway clock;
   * where the publisher's frames never cross JavaScript (mediasoup), from its decode at the
   * orchestrator (a few ms short).
   */
  transitMs: number | undefined;
  /**
   * From a frame's capture (the publisher's sender reports) to its processed frame's departure;
   * undefined before the publisher's first report.
   */
  captureToEgressMs: number | undefined;
  /**
   * From a frame's capture on the publisher's clock (its reports' NTP) to its processed frame's
   * departure on the gateway's: `captureToEgressMs` plus the two clocks' offset, so it is only
   * ever added to a time on the publisher's clock (its audio's capture); undefined likewise.
   */
  senderToEgressMs: number | undefined;
};

/**
 * The lag of the last processed frame that left the gateway, ms (`VideoDelay`'s counterpart for
 * one frame: the same two figures, for the frame the gateway just forwarded).
 */
export type FrameLag = {
  /** From its source frame's arrival from the publisher to its departure, gateway clock. */
  transitMs: number;
  /** From its source frame's capture (publisher's clock) to its departure (gateway's). */
  senderToEgressMs: number | undefined;
  /** When it left, gateway clock. */
  egressMs: number;
  /** When its source frame was captured, publisher's clock. */
  sourceSenderMs: number | undefined;
};

/**
 * Joins, frame by frame, what the gateway sees of a stream (the publisher's frames arriving, the
 * processed frames coming back, both senders' RTCP reports) with the orchestrator's per-frame
 * records, into the hops of `HopTimings`. All times are converted to the gateway's clock.
 */
export class FrameTimeline {
  readonly publisherClock = new SenderClock();
  readonly orchestratorClock = new SenderClock();
  readonly #publisherFrames: PublisherFrame[] = [];
  readonly #returnedFrames: ReturnedFrame[] = [];
  /** Orchestrator records (gateway clock) waiting for their processed frame. */
  #pendingRecords: FrameTimingRecord[] = [];
  #samples: HopSample[] = [];
  readonly #transits: number[] = [];
  /** From a publisher frame's arrival to the orchestrator handing its result to the encoder, ms. */
  readonly #throughs: number[] = [];
  /**
   * Native forwarding (no publisher frame crosses JavaScript): each joined frame's source RTP
   * timestamp, when the orchestrator decoded it and when its result went to the encoder (gateway
   * clock), to time the processed frames as they leave as `#throughs` do on the other backend.
   */
  readonly #nativeThroughs: { rtpTimestamp: number; decodedAtMs: number; doneMs: number }[] = [];
  #frameLag: FrameLag | undefined;
  readonly #frameLagListeners = new Set<(lag: FrameLag) => void>();
  /**
   * The publisher frames joined and when their processed frames left: their capture times are
   * read through the publisher's latest report when asked (a first report can be off by seconds:
   * GStreamer's first one was, made while it queued media before connecting).
   */
  readonly #egress: { rtpTimestamp: number; egressMs: number; arrivalOffsetMs?: number }[] = [];
  /** The first publisher frame's RTP timestamp: the origin arrival offsets are counted from. */
  #rtpOrigin: number | undefined;
  /** Frames joined so far: `videoDelay` is computed again only when they or the reports moved. */
  #joined = 0;
  #delay: { key: string; delay: VideoDelay } | undefined;

  /** The last packet of a publisher frame reached the gateway; false when it had already. */
  publisherFrame(rtpTimestamp: number, arrivedAtMs: number): boolean {
    // A frame's last packet again (a retransmission the publisher sent after a NACK, or a
    // duplicate on the wire) is not a new frame: its first arrival is when the frame could be
    // forwarded whole, and a later one would place it after its own processed frame.
    if (seenRecently(this.#publisherFrames, rtpTimestamp)) return false;
    this.#rtpOrigin ??= rtpTimestamp;
    push(this.#publisherFrames, { rtpTimestamp, arrivedAtMs });
    return true;
  }

  /**
   * A packet of a processed frame reached the gateway (and was forwarded at once). The frame is
   * timed by its last packet (marker bit); libwebrtc's video-timing extension may ride on any.
   */
  returnedPacket(
    rtpTimestamp: number,
    marker: boolean,
    arrivedAtMs: number,
    videoTiming?: VideoTiming,
  ): void {
    if (videoTiming) this.#frameTiming = { rtpTimestamp, videoTiming };
    if (!marker || seenRecently(this.#returnedFrames, rtpTimestamp)) return;
    const timing = this.#frameTiming;
    push(this.#returnedFrames, {
      rtpTimestamp,
      arrivedAtMs,
      videoTiming: timing?.rtpTimestamp === rtpTimestamp ? timing.videoTiming : undefined,
      matched: false,
    });
    this.#frameLeft(rtpTimestamp, arrivedAtMs);
  }

  /**
   * Times a processed frame as it leaves, without waiting for the orchestrator's records (they
   * come each second): its encoder input time comes from its RTP timestamp (the orchestrator's
   * sender reports), and its source is the last publisher frame that arrived before that, less
   * the least time a joined frame took from the gateway to its encoder (where no publisher frame
   * arrives here, `#lagNative`). Under load the video's lag moves by more than a frame from one
   * frame to the next (encoders at 720p on a busy machine); this follows it.
   */
  #frameLeft(rtpTimestamp: number, egressMs: number): void {
    const doneMs = this.orchestratorClock.captureMs(rtpTimestamp);
    if (doneMs === undefined) return;
    const lag =
      this.#publisherFrames.length > 0
        ? this.#lagByArrivals(doneMs, egressMs)
        : this.#lagNative(doneMs, egressMs);
    if (!lag) return;
    this.#frameLag = lag;
    for (const listener of this.#frameLagListeners) listener(lag);
  }

  /** A processed frame's lag, its source the last publisher frame to arrive in time for it. */
  #lagByArrivals(doneMs: number, egressMs: number): FrameLag | undefined {
    // The least time seen: the source arrived at most that long before (a guess a frame too new
    // shortens the lag by a frame; one too old would hold the audio until the next frame left).
    if (this.#throughs.length < delayFramesNeeded) return undefined;
    const source = latestBefore(this.#publisherFrames, doneMs - Math.min(...this.#throughs));
    if (!source) return undefined;
    const senderMs = this.publisherClock.confirmed
      ? this.publisherClock.senderMs(source.rtpTimestamp)
      : undefined;
    return {
      transitMs: egressMs - source.arrivedAtMs,
      senderToEgressMs: senderMs === undefined ? undefined : egressMs - senderMs,
      egressMs,
      sourceSenderMs: senderMs,
    };
  }

  /**
   * A processed frame's lag where the publisher's frames never arrive here (mediasoup): its
   * source was captured the least time any joined frame took from capture to its encoder before
   * it was done (both read through the senders' reports; the publisher's latest one, as
   * `videoDelay` reads them), and decoded the least time from decode to encoder before.
   */
  #lagNative(doneMs: number, egressMs: number): FrameLag | undefined {
    const joined = this.#nativeThroughs;
    if (joined.length < delayFramesNeeded) return undefined;
    const decodeToDoneMs = Math.min(...joined.map((frame) => frame.doneMs - frame.decodedAtMs));
    const clock = this.publisherClock;
    let captureToDoneMs = Number.POSITIVE_INFINITY;
    if (clock.confirmed) {
      for (const frame of joined) {
        const senderMs = clock.senderMs(frame.rtpTimestamp);
        if (senderMs !== undefined)
          captureToDoneMs = Math.min(captureToDoneMs, frame.doneMs - senderMs);
      }
    }
    const sourceSenderMs = Number.isFinite(captureToDoneMs) ? doneMs - captureToDoneMs : undefined;
    return {
      transitMs: egressMs - (doneMs - decodeToDoneMs),
      senderToEgressMs: sourceSenderMs === undefined ? undefined : egressMs - sourceSenderMs,
      egressMs,
      sourceSenderMs,
    };
  }

  /** The lag of the last processed frame that left; undefined until one was timed. */
  frameLag(): FrameLag | undefined {
    return this.#frameLag;
  }

  /** Calls `listener` with each processed frame's lag as it leaves; returns its removal. */
  onFrameLag(listener: (lag: FrameLag) => void): () => void {
    this.#frameLagListeners.add(listener);
    return () => this.#frameLagListeners.delete(listener);
  }
  #frameTiming: { rtpTimestamp: number; videoTiming: VideoTiming } | undefined;

  /** The stream moved to another orchestrator: its frames and clock start afresh. */
  switchOrchestrator(): void {
    this.orchestratorClock.reset();
    this.#returnedFrames.length = 0;
    this.#pendingRecords = [];
    this.#frameTiming = undefined;
    this.#frameLag = undefined;
    this.#throughs.length = 0;
    this.#nativeThroughs.length = 0;
  }

  /**
   * Adds the orchestrator's records; `clockOffsetMs` is its clock minus the gateway's. Each
   * record is joined with the publisher frame it decoded and the processed frame it became; one
   * whose processed frame has not come yet waits until `recordPatienceMs` after `nowMs`.
   */
  orchestratorRecords(
    records: readonly FrameTimingRecord[],
    clockOffsetMs: number,
    nowMs = epochNowMs(),
  ): void {
    for (const record of records) {
      this.#pendingRecords.push({
        seq: record.seq,
        decodedAtMs: record.decodedAtMs - clockOffsetMs,
        startedAtMs: record.startedAtMs - clockOffsetMs,
        doneAtMs: record.doneAtMs - clockOffsetMs,
        ...(record.sourceRtpTimestamp === undefined
          ? {}
          : { sourceRtpTimestamp: record.sourceRtpTimestamp }),
      });
    }
    this.#join(nowMs);
  }

  #join(nowMs: number): void {
    const waiting: FrameTimingRecord[] = [];
    for (const record of this.#pendingRecords) {
      const input = this.#sourceOf(record);
      const output = this.#returnedFrameOf(record, input?.arrivedAtMs);
      if (!output) {
        if (nowMs - record.doneAtMs < recordPatienceMs) waiting.push(record);
        continue;
      }
      output.matched = true;
      this.#joined++;
      const captureMs = input ? this.publisherClock.captureMs(input.rtpTimestamp) : undefined;
      const arrivedAtMs = input?.arrivedAtMs;
      // A source whose arrival is unknown (native forwarding) is timed from its decode at the
      // orchestrator, which it reached a few ms after the gateway: short by that hop.
      if (input) keep(this.#transits, output.arrivedAtMs - (arrivedAtMs ?? record.decodedAtMs));
      // Timed as `#frameLeft` times a frame (the orchestrator's sender reports, not the clock
      // offset its records are converted with), so the two estimates of its clock cannot disagree.
      const doneMs = this.orchestratorClock.captureMs(output.rtpTimestamp);
      if (arrivedAtMs !== undefined && doneMs !== undefined) {
        keep(this.#throughs, doneMs - arrivedAtMs);
      } else if (input && doneMs !== undefined) {
        const { decodedAtMs } = record;
        keep(this.#nativeThroughs, { rtpTimestamp: input.rtpTimestamp, decodedAtMs, doneMs });
      }
      if (input) {
        const origin = this.#rtpOrigin;
        keep(this.#egress, {
          rtpTimestamp: input.rtpTimestamp,
          egressMs: output.arrivedAtMs,
          // Arrival less capture on the publisher's RTP clock (90 kHz), from its first frame.
          ...(arrivedAtMs !== undefined && origin !== undefined
            ? { arrivalOffsetMs: arrivedAtMs - ((input.rtpTimestamp - origin) | 0) / 90 }
            : {}),
        });
      }
      const timing = output.videoTiming;
      this.#samples.push({
        publisherToGateway:
          arrivedAtMs !== undefined && captureMs !== undefined
            ? arrivedAtMs - captureMs
            : undefined,
        gatewayToOrchestrator:
          arrivedAtMs !== undefined ? record.decodedAtMs - arrivedAtMs : undefined,
        orchestratorQueue: record.startedAtMs - record.decodedAtMs,
        pipeline: record.doneAtMs - record.startedAtMs,
        orchestratorToGateway: output.arrivedAtMs - record.doneAtMs,
        orchestratorEncode: timing ? timing.encodeFinishMs - timing.encodeStartMs : undefined,
        gatewayToPublisher: undefined,
        captureToGatewayEgress:
          captureMs === undefined ? undefined : output.arrivedAtMs - captureMs,
      });
    }
    this.#pendingRecords = waiting;
  }

  /**
   * The publisher frame a record decoded: the one of the RTP timestamp the orchestrator names,
   * else the last to reach the gateway before it was decoded. Where the publisher's frames never
   * cross JavaScript (mediasoup's native forwarding: none arrived) it is known by that timestamp
   * alone, its arrival unknown.
   */
  #sourceOf(record: FrameTimingRecord): SourceFrame | undefined {
    const rtpTimestamp = record.sourceRtpTimestamp;
    const frames = this.#publisherFrames;
    if (rtpTimestamp !== undefined) {
      const frame = frames.findLast((f) => f.rtpTimestamp === rtpTimestamp);
      if (frame) return frame;
      if (frames.length === 0) return { rtpTimestamp, arrivedAtMs: undefined };
    }
    return latestBefore(frames, record.decodedAtMs);
  }

  /**
   * The processed frame a record became: the one whose capture time (the orchestrator's RTP
   * clock, through its sender reports) is closest to when the record handed the frame to the
   * encoder; before any report, the first frame to arrive after that. Never one that reached the
   * gateway before the record's source did (`sourceArrivedAtMs`): a clock estimate off under load
   * would otherwise time a frame as back before it went.
   */
  #returnedFrameOf(
    record: FrameTimingRecord,
    sourceArrivedAtMs: number | undefined,
  ): ReturnedFrame | undefined {
    const notBeforeMs = Math.max(
      record.doneAtMs - matchToleranceMs,
      sourceArrivedAtMs ?? -Infinity,
    );
    const candidates = this.#returnedFrames.filter(
      (frame) => !frame.matched && frame.arrivedAtMs > notBeforeMs,
    );
    let best: ReturnedFrame | undefined;
    let bestMs = matchToleranceMs;
    for (const frame of candidates) {
      const captureMs = this.orchestratorClock.captureMs(frame.rtpTimestamp);
      if (captureMs === undefined) return candidates[0];
      const distanceMs = Math.abs(captureMs - record.doneAtMs);
      if (distanceMs < bestMs) {
        best = frame;
        bestMs = distanceMs;
      }
    }
    return best;
  }

  /**
   * The processed video's delay behind the publisher's, over the last frames joined (kept across
   * a change of orchestrator, so audio delayed by it keeps its delay until the new one's frames
   * are joined).
   */
  videoDelay(): VideoDelay {
    // Asked for at every audio packet (50 a second): the medians change only with a join or a
    // report of the publisher's (its mapping, its offset).
    const clock = this.publisherClock;
    const key = `${this.#joined}:${clock.confirmed}:${clock.offsetMs}:${clock.senderMs(0)}`;
    if (this.#delay?.key !== key) this.#delay = { key, delay: this.#videoDelay() };
    return this.#delay.delay;
  }

  #videoDelay(): VideoDelay {
    if (this.#transits.length < delayFramesNeeded) {
      return { transitMs: undefined, captureToEgressMs: undefined, senderToEgressMs: undefined };
    }
    const clock = this.publisherClock;
    const onTimeMs = Math.min(
      ...this.#egress.map(({ arrivalOffsetMs }) => arrivalOffsetMs ?? Number.POSITIVE_INFINITY),
    );
    const senderToEgressMs = !clock.confirmed
      ? undefined
      : median(
          this.#egress.flatMap(({ rtpTimestamp, egressMs, arrivalOffsetMs }) => {
            const senderMs = clock.senderMs(rtpTimestamp);
            if (senderMs === undefined) return [];
            return arrivalOffsetMs !== undefined && arrivalOffsetMs > onTimeMs + backlogMs
              ? []
              : [egressMs - senderMs];
          }),
        );
    const offsetMs = clock.offsetMs;
    return {
      transitMs: median(this.#transits),
      captureToEgressMs:
        senderToEgressMs === undefined || offsetMs === undefined
          ? undefined
          : senderToEgressMs - offsetMs,
      senderToEgressMs,
    };
  }

  /** Medians of the frames joined since the last call, ms (one decimal). */
  take(): HopTimings {
    const samples = this.#samples;
    this.#samples = [];
    const median = (hop: keyof HopSample): number | undefined => {
      const values = samples
        .map((sample) => sample[hop])
        .filter((value): value is number => value !== undefined)
        .sort((a, b) => a - b);
      const middle = values[Math.floor(values.length / 2)];
      return middle === undefined ? undefined : Math.round(middle * 10) / 10;
    };
    return {
      publisherToGateway: median('publisherToGateway'),
      gatewayToOrchestrator: median('gatewayToOrchestrator'),
      orchestratorQueue: median('orchestratorQueue'),
      pipeline: median('pipeline'),
      orchestratorToGateway: median('orchestratorToGateway'),
      orchestratorEncode: median('orchestratorEncode'),
      gatewayToPublisher: undefined,
      captureToGatewayEgress: median('captureToGatewayEgress'),
      frames: samples.length,
    };
  }
}

function keep<T>(list: T[], value: T): void {
  list.push(value);
  if (list.length > delayFramesKept) list.shift();
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > framesKept) list.shift();
}

/** Frames a retransmitted last packet can trail its first arrival by (about a second at 30 fps). */
const repeatsLookedBack = 32;

/** Whether one of the last frames of `frames` had this RTP timestamp. */
function seenRecently(frames: readonly { rtpTimestamp: number }[], rtpTimestamp: number): boolean {
  for (let i = frames.length - 1; i >= Math.max(0, frames.length - repeatsLookedBack); i--) {
    if (frames[i]?.rtpTimestamp === rtpTimestamp) return true;
  }
  return false;
}

/** The last frame that arrived at or before `ms` (frames are in arrival order). */
function latestBefore(frames: readonly PublisherFrame[], ms: number): PublisherFrame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i];
    if (frame && frame.arrivedAtMs <= ms) return frame;
  }
  return undefined;
}
