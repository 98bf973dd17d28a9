import { epochNowMs } from '@peerframe/core/frameTiming';
import type { SenderClock } from './clocks/SenderClock.ts';
import type { FrameTimeline } from './FrameTimeline.ts';
import { KeyframeThrottle } from './KeyframeThrottle.ts';
import type { SfuLeg } from './SfuAdapter.ts';
import type { SfuPacket } from './SfuPacket.ts';
import type { StreamRates } from './StreamSessionTypes.ts';
import type { StreamViewers, ViewerSource } from './StreamViewers.ts';
import type { Upstream } from './Upstream.ts';
import type { VideoTiming } from './videoTiming.ts';

export type StreamRouterOptions = {
  publisher: SfuLeg;
  viewers: StreamViewers;
  timeline: FrameTimeline;
  /**
   * Shortest time between two keyframe requests forwarded to the same side, ms (default 250); a
   * request within it goes out at its end (`KeyframeThrottle`).
   */
  keyframeRequestIntervalMs?: number | undefined;
  /** A packet went to the orchestrator (at `performance.now()`). */
  onFed: (now: number) => void;
  /** A processed packet reached the publisher. */
  onProcessed: () => void;
  /** An audio packet the orchestrator processed (legs that carry audio), at epoch ms. */
  onProcessedAudio: (packet: SfuPacket, arrivedAtMs: number) => void;
  /**
   * The stream has no video (its pipeline processes audio only): the orchestrator's processed
   * audio is its output, counted and watched as processed video is (default false).
   */
  audioOnly?: boolean;
  /** Native forwarding failed to link two legs (the stream's watchdog sees the silence). */
  onLinkError?: (error: unknown) => void;
};

/** Packets and keyframe requests a stream forwarded, since it began. */
export type StreamRouterCounters = {
  /** Video packets both ways; audio ones for an audio-only stream. */
  packetsToOrchestrator: number;
  packetsFromOrchestrator: number;
  /** Processed audio packets from orchestrators whose pipeline processes audio. */
  audioPacketsFromOrchestrator: number;
  keyframeRequestsToPublisher: number;
  keyframeRequestsToOrchestrator: number;
};

/**
 * Forwards one stream's video: the publisher's packets to the current orchestrator and to the
 * viewers of the source, the orchestrator's to the publisher and the viewers of the processed
 * video, stamping their video timing on the way, and keyframe requests upstream on both paths
 * (at most one per side every `keyframeRequestIntervalMs`, none dropped). Counts what it forwards.
 *
 * Legs that forward natively (mediasoup) are linked instead (`SfuLeg.forwardFrom`): the SFU
 * moves the packets and relays keyframe requests and NACKs itself, and the counts come from its
 * stats (`nativeReceived`). On that path the timeline sees the processed frames leave
 * (`nativeFrame`) and both senders' reports, never the publisher's frames: it places each record
 * on the publisher's clock by the source RTP timestamp the orchestrator names.
 */
export class StreamRouter {
  readonly #options: StreamRouterOptions;
  readonly #publisher: SfuLeg;
  readonly #timeline: FrameTimeline;
  #upstream: Upstream | undefined;
  readonly #toPublisher: KeyframeThrottle;
  readonly #toOrchestrator: KeyframeThrottle;
  #window = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, startedAt: performance.now() };
  readonly counters: StreamRouterCounters = {
    packetsToOrchestrator: 0,
    packetsFromOrchestrator: 0,
    audioPacketsFromOrchestrator: 0,
    keyframeRequestsToPublisher: 0,
    keyframeRequestsToOrchestrator: 0,
  };

  constructor(options: StreamRouterOptions) {
    this.#options = options;
    this.#publisher = options.publisher;
    this.#timeline = options.timeline;
    const intervalMs = options.keyframeRequestIntervalMs ?? 250;
    this.#toPublisher = new KeyframeThrottle(() => {
      this.counters.keyframeRequestsToPublisher++;
      this.#publisher.requestKeyframe();
    }, intervalMs);
    this.#toOrchestrator = new KeyframeThrottle(() => {
      this.counters.keyframeRequestsToOrchestrator++;
      this.#upstream?.leg.requestKeyframe();
    }, intervalMs);
    this.#wirePublisher();
  }

  /** The orchestrator packets go to now; undefined while the stream moves. */
  get upstream(): Upstream | undefined {
    return this.#upstream;
  }

  /**
   * Stops routing: nothing goes to the orchestrator any more, and a keyframe request waiting for
   * the end of its throttle's interval is dropped (its legs are closing).
   */
  close(): void {
    this.route(undefined);
    this.#toPublisher.cancel();
    this.#toOrchestrator.cancel();
  }

  /** Forwards to and from `upstream` from now on (undefined: to none, the stream moves). */
  route(upstream: Upstream | undefined): void {
    this.#upstream = upstream;
    if (!upstream) return;
    this.#timeline.switchOrchestrator();
    const { leg } = upstream;
    leg.on('senderReport', (report) => {
      if (this.#upstream !== upstream) return;
      this.#timeline.orchestratorClock.report(report, epochNowMs(), leg.roundTripMs);
    });
    if (this.#publisher.forwardsNatively) {
      this.#link(upstream);
      // The processed frames cross JavaScript on their hop to the publisher: the timeline sees
      // each one leave (the publisher's own frames it joins by the orchestrator's records).
      leg.on('nativeFrame', (rtpTimestamp) => {
        if (this.#upstream !== upstream) return;
        this.#timeline.returnedPacket(rtpTimestamp, true, epochNowMs());
      });
      // Audio crosses JavaScript on every backend (the delay line is here).
      this.#listenAudio(upstream);
      return;
    }
    leg.on('rtp', (packet, videoTiming) => {
      if (this.#upstream !== upstream) return;
      const { timestamp, marker } = packet.header;
      const arrivedAtMs = epochNowMs();
      upstream.lastPacketAt = performance.now();
      this.counters.packetsFromOrchestrator++;
      this.#timeline.returnedPacket(timestamp, marker, arrivedAtMs, videoTiming);
      const timing = stamped(videoTiming, this.#timeline.orchestratorClock, timestamp, arrivedAtMs);
      this.#options.viewers.sendVideo('processed', packet, timing);
      this.#window.bytesOut += packet.payload.length;
      if (marker) this.#window.framesOut++;
      this.#publisher.send(packet, timing);
      this.#options.onProcessed();
    });
    this.#listenAudio(upstream);
    leg.on('keyframeRequest', this.askPublisher);
    leg.on('unrepairableLoss', () => this.askPublisher());
  }

  /**
   * The orchestrator's processed audio. It keeps the publisher's RTP timestamps: the delay line
   * places it on the publisher's clock as it would the original.
   */
  #listenAudio(upstream: Upstream): void {
    upstream.leg.on('audioRtp', (packet) => {
      if (this.#upstream !== upstream) return;
      this.counters.audioPacketsFromOrchestrator++;
      if (this.#options.audioOnly) {
        upstream.lastPacketAt = performance.now();
        this.counters.packetsFromOrchestrator++;
        this.#options.onProcessed();
      }
      this.#options.onProcessedAudio(packet, epochNowMs());
    });
  }

  /**
   * Native forwarding: the orchestrator's leg sends what the publisher's receives (made so at
   * its offer; again here, a no-op then), the publisher's leg and the processed video's viewers
   * what the orchestrator's receives. Its packet counts stand for the packets it forwarded.
   */
  #link(upstream: Upstream): void {
    const { leg } = upstream;
    const publisher = this.#publisher;
    const links = [
      leg.forwardFrom?.(publisher),
      publisher.forwardFrom?.(leg),
      ...[...this.#options.viewers.processedLegs()].map((viewer) => viewer.forwardFrom?.(leg)),
    ];
    Promise.all(links).catch((error: unknown) => {
      if (this.#upstream === upstream) this.#options.onLinkError?.(error);
    });
    leg.on('nativeReceived', ({ packets, bytes }) => {
      if (this.#upstream !== upstream) return;
      upstream.lastPacketAt = performance.now();
      this.counters.packetsFromOrchestrator += packets;
      this.#window.bytesOut += bytes;
      this.#options.onProcessed();
    });
  }

  /** An audio packet of the publisher's went to the orchestrator (audio-only streams). */
  fedAudio(): void {
    this.#options.onFed(performance.now());
    this.counters.packetsToOrchestrator++;
  }

  /** Asks the source of `source`'s video for a keyframe. */
  askSource = (source: ViewerSource): void => {
    if (source === 'processed') this.askOrchestrator();
    else this.askPublisher();
  };

  /** `force`: even within `keyframeRequestIntervalMs` of the last request. */
  askPublisher = (options?: { force?: boolean }): void => this.#toPublisher.request(options);

  askOrchestrator = (): void => this.#toOrchestrator.request();

  /** Frame and bit rates since the last call. */
  takeRates(): Omit<StreamRates, 'hops'> {
    const now = performance.now();
    const { framesIn, framesOut, bytesIn, bytesOut, startedAt } = this.#window;
    const seconds = Math.max(0.001, (now - startedAt) / 1000);
    this.#window = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, startedAt: now };
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      fpsIn: round(framesIn / seconds),
      fpsOut: round(framesOut / seconds),
      bitrateInKbps: round((bytesIn * 8) / seconds / 1000),
      bitrateOutKbps: round((bytesOut * 8) / seconds / 1000),
    };
  }

  #wirePublisher(): void {
    const publisher = this.#publisher;
    publisher.on('rtp', (packet, videoTiming) => {
      const { timestamp, marker } = packet.header;
      const arrivedAtMs = epochNowMs();
      this.#window.bytesIn += packet.payload.length;
      if (marker && this.#timeline.publisherFrame(timestamp, arrivedAtMs)) this.#window.framesIn++;
      const upstream = this.#upstream;
      if (!upstream) return;
      this.#options.onFed(performance.now());
      this.counters.packetsToOrchestrator++;
      const timing = stamped(videoTiming, this.#timeline.publisherClock, timestamp, arrivedAtMs);
      this.#options.viewers.sendVideo('source', packet, timing);
      upstream.leg.send(packet, timing);
    });
    publisher.on('nativeReceived', ({ packets, bytes }) => {
      this.#window.bytesIn += bytes;
      if (!this.#upstream) return;
      this.#options.onFed(performance.now());
      this.counters.packetsToOrchestrator += packets;
    });
    publisher.on('senderReport', (report) => {
      this.#timeline.publisherClock.report(report, epochNowMs(), publisher.roundTripMs);
    });
    publisher.on('keyframeRequest', this.askOrchestrator);
    // A receiver NACKing packets the gateway never had would wait seconds before its own PLI
    // (libwebrtc froze ~2.6 s after 400 ms of loss): ask the source for a keyframe now.
    publisher.on('unrepairableLoss', this.askOrchestrator);
  }
}

/**
 * A frame's video timing as the gateway forwards it: the sender's fields, plus when the frame
 * reached the gateway and left it (the same instant: packets are relayed as they come), ms
 * after its capture.
 */
function stamped(
  videoTiming: VideoTiming | undefined,
  clock: SenderClock,
  rtpTimestamp: number,
  nowMs: number,
): VideoTiming | undefined {
  if (!videoTiming) return undefined;
  const captureMs = clock.captureMs(rtpTimestamp);
  if (captureMs === undefined) return videoTiming;
  return { ...videoTiming, networkMs: nowMs - captureMs, network2Ms: nowMs - captureMs };
}
