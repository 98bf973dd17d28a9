import { randomUUID } from 'node:crypto';
import {
  BaseError,
  createLogger,
  type ErrorCode,
  HttpError,
  type Logger,
  TypedEmitter,
} from '@peerframe/core';
import {
  type AudioCodecChoice,
  assertVideoSection,
  receivedAudioSection,
  selectAudioCodec,
  sentAudioSection,
} from '@peerframe/core/audioCodec';
import { epochNowMs, type HopTimings } from '@peerframe/core/frameTiming';
import { type BitrateHints, parseSdp, setVideoBitrateHints } from '@peerframe/core/sdp';
import { selectVideoCodec, type VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { Wei } from '@peerframe/protocol';
import type { StreamState, StreamStats } from '@peerframe/wire';
import type { RtpPacket } from 'werift';
import { AudioRelay } from './AudioRelay.ts';
import { FrameTimeline, type SenderClock } from './FrameTimeline.ts';
import { type GatewayPayments, PaymentError } from './GatewayPayments.ts';
import type { OrchestratorClient } from './OrchestratorClient.ts';
import {
  assertCandidateCount,
  countUdpCandidates,
  type IceFragment,
  type LegState,
  type SfuAdapter,
  type SfuLeg,
} from './SfuAdapter.ts';
import { StreamPayer, type StreamPayment } from './StreamPayer.ts';
import type { VideoTiming } from './videoTiming.ts';
import { weriftSfu } from './WeriftLeg.ts';

/** Packets the gateway drops on purpose, for fault-injection tests (ratios 0..1). */
export type StreamFaults = {
  /** Share of publisher → orchestrator packets dropped. */
  dropToOrchestratorRatio: number;
  /** Share of orchestrator → publisher packets dropped. */
  dropToPublisherRatio: number;
  /**
   * Share of the packets the SFU sends to the orchestrator lost on the way, after the SFU kept
   * them for retransmission: NACKs repair this loss (the `drop…` ratios lose packets before the
   * SFU, where only a keyframe repairs it).
   */
  lossToOrchestratorRatio?: number;
  /** The same for the packets sent to the publisher. */
  lossToPublisherRatio?: number;
  /**
   * Sign the current orchestrator's tickets wrongly (it refuses them, as it would a sender it
   * cannot trust): the payment failure path. Later orchestrators are paid correctly.
   */
  corruptPayments?: boolean;
};

/** What a WHEP viewer plays: the processed video (default) or the publisher's own. */
export type ViewerSource = 'processed' | 'source';

type Viewer = { id: string; leg: SfuLeg; source: ViewerSource };

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
  state: [StreamState];
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
  payments?: GatewayPayments | undefined;
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
   */
  checkParams?: (client: OrchestratorClient, params: Record<string, unknown>) => Promise<void>;
  /** Bitrate the publisher's and the orchestrators' encoders start at and keep within. */
  bitrate: BitrateHints;
  /** Write playout delay 0 on every forwarded packet (default true). */
  zeroPlayoutDelay?: boolean;
  /** Shortest time between two keyframe requests forwarded to the same side, ms (default 250). */
  keyframeRequestIntervalMs?: number;
  /** No processed packet for this long while the publisher's packets flow means the orchestrator is lost, ms (default 400). */
  stallTimeoutMs?: number;
  /** A new orchestrator gets this long for its first processed packet, ms (default 3000). */
  firstPacketTimeoutMs?: number;
  /**
   * A publisher whose leg is not connected this long after its offer was answered ends the
   * stream, freeing the orchestrator session it holds, ms (default 3 000).
   */
  publisherConnectTimeoutMs?: number;
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
};

/** The current orchestrator leg of a stream. */
type Upstream = {
  leg: SfuLeg;
  client: OrchestratorClient;
  sessionId: string;
  createdAt: number;
  lastPacketAt: number | undefined;
  priceWeiPerSecond: Wei;
  /** Pays the orchestrator each second, when it charges. */
  payer: StreamPayer | undefined;
  /** The last frame timing record fetched from the orchestrator. */
  framesAfter: number;
  /** Clock offset estimates (orchestrator − gateway, ms) with the round trip they came from. */
  clockSamples: { rttMs: number; offsetMs: number }[];
};

/** Defaults of the connect timeouts and the candidate bound (the other options default in place). */
export const defaultStreamSessionOptions = {
  publisherConnectTimeoutMs: 3_000,
  viewerConnectTimeoutMs: 3_000,
  maxRemoteCandidates: 12,
} as const;

const watchdogIntervalMs = 100;
/** A pause this long in the packets forwarded to the orchestrator is a gap in its input. */
const feedGapMs = 300;
/** After a gap in its input, the orchestrator gets this long (a keyframe round trip) before silence counts. */
const resumeGraceMs = 1000;

/**
 * One published stream through the gateway's SFU: the publisher's leg (WHIP, sendrecv) and the
 * current orchestrator's leg. RTP goes publisher → orchestrator and back untouched but for SSRC,
 * payload type, sequence/timestamp continuity and header extensions; keyframe requests travel
 * upstream on both paths. When the orchestrator stops returning video, the stream moves to another
 * one with the same pipeline and params; the publisher's track never changes.
 */
export class StreamSession extends TypedEmitter<StreamSessionEvents> {
  readonly id = randomUUID();
  /** Viewers play the processed video with this id, which (unlike `id`) gives no control over the stream. */
  readonly playbackId = randomUUID();
  /**
   * Plays the publisher's own, unprocessed video: a secret the gateway gives only to the
   * publisher (its WHIP answer), since the source is what a privacy effect (blur, replace) hides.
   */
  readonly sourcePlaybackId = randomUUID();
  readonly pipeline: string;
  readonly answerSdp: string;
  /** The codec the publisher sends, the orchestrator gets and returns, and viewers get. */
  readonly codec: VideoCodecChoice;
  /** The publisher's audio codec; undefined when it sends none (or the SFU carries none). */
  readonly audioCodec: AudioCodecChoice | undefined;
  readonly #publisher: SfuLeg;
  /** The publisher's audio on its way back out; undefined without audio. */
  readonly #audio: AudioRelay | undefined;
  readonly #options: StreamSessionOptions;
  readonly #log: Logger;
  #params: Record<string, unknown>;
  #upstream: Upstream | undefined;
  #state: StreamState = 'connecting';
  #faults: StreamFaults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0 };
  #faultTimer: NodeJS.Timeout | undefined;
  readonly #watchdog: NodeJS.Timeout;
  readonly #createdAt = performance.now();
  /** When a packet was last forwarded to the orchestrator, and when forwarding resumed after a gap. */
  #lastFedAt = 0;
  #feedResumedAt = 0;
  #failingOver = false;
  /** Settles once the failover in progress attached another orchestrator or ended the stream. */
  #moving: Promise<void> | undefined;
  #paramUpdates: Promise<void> = Promise.resolve();
  readonly #swapTimes: number[] = [];
  readonly #failed = new Set<string>();
  readonly #viewers = new Map<string, Viewer>();
  /** The publisher's ICE username fragment, and how many ICE restarts it made. */
  #publisherUfrag: string | undefined;
  #iceGeneration = 0;
  /** UDP candidates the publisher named so far (offer and PATCHes since its last ICE restart). */
  #publisherCandidates: number;
  /** Paid to orchestrators this stream left, wei. */
  #spentBeforeWei = 0n;
  #lastToPublisher = 0;
  #lastToOrchestrator = 0;
  readonly #ratesTimer: NodeJS.Timeout;
  #window = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0, startedAt: performance.now() };
  #counters = {
    packetsToOrchestrator: 0,
    packetsFromOrchestrator: 0,
    keyframeRequestsToPublisher: 0,
    keyframeRequestsToOrchestrator: 0,
    packetsDropped: 0,
  };
  readonly #timeline = new FrameTimeline();
  /** The orchestrator's own view, fetched each second; undefined when it does not answer. */
  #orchestratorView: { pipelineMsP50: number; framesDropped: number } | undefined;

  private constructor(
    publisher: SfuLeg,
    offerSdp: string,
    answerSdp: string,
    upstream: Upstream,
    options: StreamSessionOptions & { codec: VideoCodecChoice; audioCodec?: AudioCodecChoice },
  ) {
    super();
    this.#publisher = publisher;
    this.answerSdp = answerSdp;
    this.codec = options.codec;
    this.audioCodec = publisher.hasAudio ? options.audioCodec : undefined;
    this.#options = options;
    this.pipeline = options.pipeline;
    this.#params = options.params;
    this.#publisherUfrag = /^a=ice-ufrag:(.+)$/m.exec(offerSdp)?.[1]?.trim();
    this.#publisherCandidates = countUdpCandidates(offerSdp);
    this.#log = createLogger('gateway:stream', { streamId: this.id, pipeline: options.pipeline });
    this.#wirePublisher();
    this.#audio = this.#wireAudio();
    this.#attach(upstream);
    this.#watchdog = setInterval(() => {
      this.#checkPublisher();
      this.#checkUpstream();
    }, watchdogIntervalMs);
    this.#watchdog.unref();
    this.#ratesTimer = setInterval(() => void this.#everySecond(), 1000);
    this.#ratesTimer.unref();
  }

  /**
   * Opens the orchestrator leg (so an unknown pipeline or no free orchestrator fails the request
   * before the publisher is answered), then answers the publisher's offer.
   */
  static async create(offerSdp: string, options: StreamSessionOptions): Promise<StreamSession> {
    const { codec, audioCodec } = StreamSession.checkOffer(offerSdp, options.sfu);
    const withCodec = { ...options, codec, ...(audioCodec ? { audioCodec } : {}) };
    const upstream = await connectUpstream(withCodec, options.params, new Set());
    try {
      const answered = await sfuOf(options).answer(offerSdp, {
        ...legOptions(withCodec),
        ...(audioCodec ? { audioCodec } : {}),
      });
      // The hints in our answer set the bitrate of the publisher's encoder.
      const answerSdp = setVideoBitrateHints(answered.answerSdp, options.bitrate);
      return new StreamSession(answered.leg, offerSdp, answerSdp, upstream, withCodec);
    } catch (error) {
      await closeUpstream(upstream);
      throw error;
    }
  }

  /**
   * The codecs a publisher's offer is carried with, or a 4xx naming what is wrong with it: no
   * video section (audio only), no video codec the SFU relays, audio without Opus.
   */
  static checkOffer(
    offerSdp: string,
    sfu: SfuAdapter | undefined,
  ): { codec: VideoCodecChoice; audioCodec: AudioCodecChoice | undefined } {
    const summary = parseSdp(offerSdp);
    assertVideoSection(summary);
    // The publisher's codec goes all the way: the orchestrator decodes it and answers with it.
    const codec = selectVideoCodec(summary, (sfu ?? weriftSfu).videoCodecs ?? ['VP8']);
    // Its audio (Opus or nothing) goes around the orchestrator, to the publisher and viewers.
    const audio = (sfu ?? weriftSfu).audio ? sentAudioSection(summary) : undefined;
    return { codec, audioCodec: audio ? selectAudioCodec(audio) : undefined };
  }

  get state(): StreamState {
    return this.#state;
  }

  /** The WHIP resource's ETag: names the publisher's current ICE session. */
  get etag(): string {
    return `"${this.id}.${this.#iceGeneration}"`;
  }

  /**
   * Applies a WHIP PATCH: late candidates (returns undefined), or an ICE restart when the
   * fragment carries credentials other than the current ones (returns our answer fragment).
   */
  async patchPublisherIce(fragment: IceFragment): Promise<string | undefined> {
    if (this.#state === 'ended')
      throw new HttpError(404, 'stream_not_found', 'The stream has ended');
    const restart = fragment.ufrag !== undefined && fragment.ufrag !== this.#publisherUfrag;
    const added = countUdpCandidates(fragment.candidates.map((c) => `a=${c}`).join('\n'));
    const candidates = (restart ? 0 : this.#publisherCandidates) + added;
    assertCandidateCount(
      candidates,
      this.#options.maxRemoteCandidates ?? defaultStreamSessionOptions.maxRemoteCandidates,
    );
    if (!restart) {
      await this.#publisher.addRemoteCandidates(fragment);
      this.#publisherCandidates = candidates;
      return undefined;
    }
    const answer = await this.#publisher.restartIce(fragment);
    this.#publisherCandidates = candidates;
    this.#publisherUfrag = fragment.ufrag;
    this.#iceGeneration++;
    this.#log.info({ generation: this.#iceGeneration }, 'publisher restarted ICE');
    return answer;
  }

  get params(): Readonly<Record<string, unknown>> {
    return this.#params;
  }

  stats(): StreamStats {
    return {
      id: this.id,
      state: this.#state,
      pipeline: this.pipeline,
      orchestrator: this.#upstream?.client.url ?? '',
      orchestratorSessionId: this.#upstream?.sessionId ?? '',
      swaps: this.#swapTimes.length,
      playbackId: this.playbackId,
      codec: this.codec.name,
      viewers: this.#viewers.size,
      packetsFromPublisher: this.#publisher.packetsIn,
      packetsFromOrchestrator: this.#counters.packetsFromOrchestrator,
      packetsToOrchestrator: this.#counters.packetsToOrchestrator,
      packetsToPublisher: this.#publisher.packetsOut,
      keyframeRequestsToPublisher: this.#counters.keyframeRequestsToPublisher,
      keyframeRequestsToOrchestrator: this.#counters.keyframeRequestsToOrchestrator,
      packetsDropped: this.#counters.packetsDropped,
      packetsLost: (this.#publisher.packetsLost ?? 0) + (this.#upstream?.leg.packetsLost ?? 0),
      priceWeiPerSecond: (this.#upstream?.priceWeiPerSecond ?? 0n).toString(),
      spentWei: this.#spentWei().toString(),
      balanceWei: (this.#upstream?.payer?.payment.balanceWei ?? 0n).toString(),
      ...(this.#audio && this.audioCodec ? { audio: this.#audioStats(this.#audio) } : {}),
    };
  }

  #audioStats(relay: AudioRelay) {
    const { packetsOut, packetsDropped, packetsStale, realignments, delayMs, videoLagMs } =
      relay.stats();
    return {
      codec: this.audioCodec?.name ?? 'opus',
      packetsFromPublisher: this.#publisher.audioPacketsIn ?? 0,
      packetsDelayed: packetsOut,
      packetsDropped,
      packetsStale,
      realignments,
      delayMs,
      ...(videoLagMs === undefined ? {} : { videoLagMs }),
    };
  }

  /**
   * The publisher's audio: at once to viewers of its own video, and through the delay line
   * (`AudioRelay`) to itself and to viewers of the processed video. Never to the orchestrator.
   */
  #wireAudio(): AudioRelay | undefined {
    const publisher = this.#publisher;
    if (!publisher.hasAudio) return undefined;
    const relay = new AudioRelay(this.#timeline, () => this.#delayedAudioTargets());
    publisher.on('audioRtp', (packet) => {
      const nowMs = epochNowMs();
      for (const viewer of this.#viewers.values()) {
        if (viewer.source === 'source') viewer.leg.sendAudio?.(packet.clone(), nowMs);
      }
      relay.push(packet, nowMs);
    });
    publisher.on('audioSenderReport', (report) => {
      relay.clock.report(report, epochNowMs(), publisher.roundTripMs);
    });
    return relay;
  }

  *#delayedAudioTargets(): Iterable<SfuLeg> {
    yield this.#publisher;
    for (const viewer of this.#viewers.values())
      if (viewer.source === 'processed') yield viewer.leg;
  }

  #spentWei(): Wei {
    return this.#spentBeforeWei + (this.#upstream?.payer?.payment.spentWei ?? 0n);
  }

  #takeRates(): Omit<StreamRates, 'hops'> {
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

  /** The orchestrator's own view (pipeline time, frames its queue dropped) as of the last second. */
  orchestratorStats(): { pipelineMsP50: number; framesDropped: number } | undefined {
    return this.#orchestratorView;
  }

  /** Fetches the orchestrator's view and frame records, then reports the second's rates and hops. */
  async #everySecond(): Promise<void> {
    const rates = this.#takeRates();
    await this.#pollOrchestrator();
    if (this.#state === 'ended') return;
    this.emit('rates', { ...rates, hops: this.#timeline.take() });
  }

  async #pollOrchestrator(): Promise<void> {
    const upstream = this.#upstream;
    if (!upstream) return;
    const sentAtMs = epochNowMs();
    try {
      const view = await upstream.client.session(upstream.sessionId, upstream.framesAfter);
      const answeredAtMs = epochNowMs();
      if (this.#upstream !== upstream) return;
      this.#orchestratorView = {
        pipelineMsP50: view.pipelineMsP50,
        framesDropped: view.framesDropped,
      };
      const { frames, receivedAtMs, nowMs } = view;
      if (!frames || receivedAtMs === undefined || nowMs === undefined) return;
      // NTP's estimate: the orchestrator's time in the middle of the exchange, less its own time.
      upstream.clockSamples.push({
        rttMs: answeredAtMs - sentAtMs - (nowMs - receivedAtMs),
        offsetMs: (receivedAtMs - sentAtMs + (nowMs - answeredAtMs)) / 2,
      });
      if (upstream.clockSamples.length > 10) upstream.clockSamples.shift();
      const best = upstream.clockSamples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
      this.#timeline.orchestratorRecords(frames, best.offsetMs);
      upstream.framesAfter = frames.at(-1)?.seq ?? upstream.framesAfter;
    } catch {
      if (this.#upstream === upstream) this.#orchestratorView = undefined;
    }
  }

  /** Moves the stream to another orchestrator now (its own is draining, or an operator asked). */
  moveAway(reason: string): Promise<void> {
    return this.#failover(reason);
  }

  /**
   * Applies a (partial) params update on the orchestrator, which merges it into the params it
   * runs; the merged params are kept and replayed to the next orchestrator after a failover.
   */
  updateParams(params: Record<string, unknown>): Promise<void> {
    // One at a time, in order: an update replayed after a failover never overtakes a later one.
    const applied = this.#paramUpdates.then(() => this.#applyParams(params));
    this.#paramUpdates = applied.catch(() => undefined);
    return applied;
  }

  /**
   * Applies an update on the serving orchestrator. During a failover it waits for the next one;
   * and when the stream moved while the update was on its way (its replacement started with the
   * params before it, the update landed on the orchestrator left behind), it applies it again on
   * the new one. Without this a change made around a failover was silently lost.
   */
  async #applyParams(params: Record<string, unknown>): Promise<void> {
    for (;;) {
      await this.#moving;
      const upstream = this.#upstream;
      if (!upstream) throw new HttpError(404, 'stream_not_found', `No live stream ${this.id}`);
      try {
        await upstream.client.updateParams(upstream.sessionId, params);
      } catch (error) {
        if (this.#upstream === upstream) throw error;
        continue; // refused by an orchestrator the stream has left: the next one decides
      }
      if (this.#upstream === upstream) {
        this.#params = { ...this.#params, ...params };
        return;
      }
    }
  }

  /**
   * Drops a share of the forwarded packets in each direction for `durationMs` (fault injection
   * for tests; the gateway exposes it only when started with fault injection enabled).
   */
  injectFaults(faults: Partial<StreamFaults>, durationMs: number): void {
    clearTimeout(this.#faultTimer);
    this.#faults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0, ...faults };
    if (faults.corruptPayments) this.#upstream?.payer?.corruptTickets();
    this.#applyLoss();
    this.#faultTimer = setTimeout(() => {
      this.#faults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0 };
      this.#applyLoss();
    }, durationMs);
  }

  /** Sets the legs' loss after their retransmission caches from the current faults. */
  #applyLoss(): void {
    this.#publisher.setLossRatio?.(this.#faults.lossToPublisherRatio ?? 0);
    this.#upstream?.leg.setLossRatio?.(this.#faults.lossToOrchestratorRatio ?? 0);
  }

  /**
   * Answers a WHEP viewer's offer (recvonly video) with a sendonly leg fed from this stream.
   * Returns the viewer id (`DELETE /whep/<playbackId>/<viewerId>` removes it) and `connected`,
   * which settles once: true when the viewer's leg connects, false when it is dropped first
   * (not connected within `viewerConnectTimeoutMs`, removed, or the stream ended).
   */
  async addViewer(
    offerSdp: string,
    source: ViewerSource = 'processed',
  ): Promise<{ viewerId: string; answerSdp: string; connected: Promise<boolean> }> {
    if (this.#state === 'ended')
      throw new HttpError(404, 'stream_not_found', 'The stream has ended');
    const maxViewers = this.#options.maxViewers ?? 50;
    if (this.#viewers.size >= maxViewers) {
      throw new HttpError(503, 'too_many_viewers', `The stream already has ${maxViewers} viewers`, {
        retryable: true,
      });
    }
    // Viewers get the stream's codec (the gateway never transcodes).
    const summary = parseSdp(offerSdp);
    const codec = selectVideoCodec(summary, [this.codec.name]);
    const audioCodec = this.#viewerAudioCodec(summary);
    const { leg, answerSdp } = await sfuOf(this.#options).answer(offerSdp, {
      ...legOptions(this.#options),
      direction: 'sendonly',
      codec,
      ...(audioCodec ? { audioCodec } : {}),
    });
    if ((this.#state as StreamState) === 'ended') {
      await leg.close();
      throw new HttpError(404, 'stream_not_found', 'The stream has ended');
    }
    const viewer: Viewer = { id: randomUUID(), leg, source };
    this.#viewers.set(viewer.id, viewer);
    const askSource = source === 'processed' ? this.#askOrchestrator : this.#askPublisher;
    leg.on('keyframeRequest', askSource);
    leg.on('unrepairableLoss', askSource);
    const limitMs =
      this.#options.viewerConnectTimeoutMs ?? defaultStreamSessionOptions.viewerConnectTimeoutMs;
    let settle: (connected: boolean) => void = () => {};
    const connected = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    // A viewer that never connects (a bare WHEP POST) must not hold a leg until the stream ends.
    const timer = setTimeout(() => {
      if (!this.#viewers.has(viewer.id)) return;
      this.#log.info({ viewerId: viewer.id, limitMs }, 'viewer did not connect: dropped');
      void this.removeViewer(viewer.id);
    }, limitMs);
    timer.unref();
    leg.on('state', (state) => {
      // A new viewer can decode nothing before the next keyframe.
      if (state === 'connected') {
        clearTimeout(timer);
        settle(true);
        askSource();
      }
      if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        settle(false);
        this.#viewers.delete(viewer.id);
      }
    });
    this.#log.info({ viewerId: viewer.id, source, viewers: this.#viewers.size }, 'viewer joined');
    return { viewerId: viewer.id, answerSdp, connected };
  }

  /**
   * The Opus payload type a viewer gets the stream's audio on; undefined (its audio section is
   * answered as rejected, the video still plays) when the stream has no audio or the viewer
   * offers no Opus.
   */
  #viewerAudioCodec(summary: ReturnType<typeof parseSdp>): AudioCodecChoice | undefined {
    if (!this.audioCodec) return undefined;
    const audio = receivedAudioSection(summary);
    if (!audio) return undefined;
    try {
      return selectAudioCodec(audio);
    } catch {
      return undefined;
    }
  }

  /** Ends one viewer's playback. Returns false for an unknown id. */
  async removeViewer(viewerId: string): Promise<boolean> {
    const viewer = this.#viewers.get(viewerId);
    if (!viewer) return false;
    this.#viewers.delete(viewerId);
    await viewer.leg.close();
    return true;
  }

  /** Each viewer's leg rewrites the packet it sends, so each gets its own copy. */
  #sendToViewers(source: ViewerSource, packet: RtpPacket, videoTiming?: VideoTiming): void {
    for (const viewer of this.#viewers.values()) {
      if (viewer.source === source) viewer.leg.send(packet.clone(), videoTiming);
    }
  }

  /**
   * A frame's video timing as the gateway forwards it: the sender's fields, plus when the frame
   * reached the gateway and left it (the same instant: packets are relayed as they come), ms
   * after its capture.
   */
  #stamped(
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

  #dropped(ratio: number): boolean {
    if (ratio === 0 || Math.random() >= ratio) return false;
    this.#counters.packetsDropped++;
    return true;
  }

  #askPublisher = (): void => {
    const now = performance.now();
    if (now - this.#lastToPublisher < (this.#options.keyframeRequestIntervalMs ?? 250)) return;
    this.#lastToPublisher = now;
    this.#counters.keyframeRequestsToPublisher++;
    this.#publisher.requestKeyframe();
  };

  #askOrchestrator = (): void => {
    const now = performance.now();
    if (now - this.#lastToOrchestrator < (this.#options.keyframeRequestIntervalMs ?? 250)) return;
    this.#lastToOrchestrator = now;
    this.#counters.keyframeRequestsToOrchestrator++;
    this.#upstream?.leg.requestKeyframe();
  };

  #wirePublisher(): void {
    const publisher = this.#publisher;
    publisher.on('rtp', (packet, videoTiming) => {
      const { timestamp, marker } = packet.header;
      const arrivedAtMs = epochNowMs();
      this.#window.bytesIn += packet.payload.length;
      if (marker) {
        this.#window.framesIn++;
        this.#timeline.publisherFrame(timestamp, arrivedAtMs);
      }
      const upstream = this.#upstream;
      if (!upstream || this.#dropped(this.#faults.dropToOrchestratorRatio)) return;
      const now = performance.now();
      if (now - this.#lastFedAt > feedGapMs) this.#feedResumedAt = now;
      this.#lastFedAt = now;
      this.#counters.packetsToOrchestrator++;
      const timing = this.#stamped(
        videoTiming,
        this.#timeline.publisherClock,
        timestamp,
        arrivedAtMs,
      );
      this.#sendToViewers('source', packet, timing);
      upstream.leg.send(packet, timing);
    });
    publisher.on('senderReport', (report) => {
      this.#timeline.publisherClock.report(report, epochNowMs(), publisher.roundTripMs);
    });
    publisher.on('keyframeRequest', this.#askOrchestrator);
    // A receiver NACKing packets the gateway never had would wait seconds before its own PLI
    // (libwebrtc froze ~2.6 s after 400 ms of loss): ask the source for a keyframe now.
    publisher.on('unrepairableLoss', this.#askOrchestrator);
    publisher.on('state', (state) => {
      this.#log.debug({ leg: 'publisher', state }, 'leg state');
      if (state === 'failed' || state === 'closed') void this.close(`publisher leg ${state}`);
      this.#maybeLive();
    });
  }

  #attach(upstream: Upstream): void {
    this.#upstream = upstream;
    this.#timeline.switchOrchestrator();
    this.#orchestratorView = undefined;
    this.#applyLoss();
    const { leg } = upstream;
    leg.on('rtp', (packet, videoTiming) => {
      if (this.#upstream !== upstream) return;
      const { timestamp, marker } = packet.header;
      const arrivedAtMs = epochNowMs();
      upstream.lastPacketAt = performance.now();
      this.#counters.packetsFromOrchestrator++;
      this.#timeline.returnedPacket(timestamp, marker, arrivedAtMs, videoTiming);
      const timing = this.#stamped(
        videoTiming,
        this.#timeline.orchestratorClock,
        timestamp,
        arrivedAtMs,
      );
      this.#sendToViewers('processed', packet, timing);
      if (this.#dropped(this.#faults.dropToPublisherRatio)) return;
      this.#window.bytesOut += packet.payload.length;
      if (marker) this.#window.framesOut++;
      this.#publisher.send(packet, timing);
      this.#maybeLive();
    });
    leg.on('senderReport', (report) => {
      if (this.#upstream !== upstream) return;
      this.#timeline.orchestratorClock.report(report, epochNowMs(), leg.roundTripMs);
    });
    leg.on('keyframeRequest', this.#askPublisher);
    leg.on('unrepairableLoss', this.#askPublisher);
    leg.on('state', (state: LegState) => {
      if (this.#upstream !== upstream) return;
      this.#log.debug({ leg: 'orchestrator', state }, 'leg state');
      if (state === 'connected') {
        // The orchestrator's decoder needs a keyframe to start: packets sent before its leg was up are gone.
        this.#askPublisher();
      }
      if (state === 'failed' || state === 'closed' || state === 'disconnected') {
        void this.#failover(`orchestrator leg ${state}`);
      }
    });
    if (leg.state === 'connected') this.#askPublisher();
    const { payer } = upstream;
    if (payer) {
      payer.on('payment', (payment) => {
        if (this.#upstream === upstream) {
          this.emit('payment', { ...payment, totalSpentWei: this.#spentWei() });
        }
      });
      // A payment the orchestrator will not take: the stream moves before it is cut off.
      payer.on('failed', ({ reason, cause }) => {
        if (this.#upstream === upstream) void this.#failover(reason, cause);
      });
      // The gateway pays no one (its deposit is unlocking): the stream ends, nobody's fault.
      payer.on('cannot-pay', ({ code, reason }) => {
        if (this.#upstream === upstream) void this.#fail(code, reason);
      });
      payer.start();
    }
    this.emit('orchestrator', {
      url: upstream.client.url,
      sessionId: upstream.sessionId,
      priceWeiPerSecond: upstream.priceWeiPerSecond,
    });
    if (payer) this.emit('payment', { ...payer.payment, totalSpentWei: this.#spentWei() });
  }

  #maybeLive(): void {
    if (this.#state === 'live' || this.#state === 'ended') return;
    if (this.#publisher.state !== 'connected') return;
    if (this.#upstream?.lastPacketAt !== undefined) this.#setState('live');
    else if (this.#state === 'connecting') this.#setState('warming');
  }

  /** A publisher that never connects (a bare WHIP POST) must not hold an orchestrator for ever. */
  #checkPublisher(): void {
    if (this.#state !== 'connecting') return;
    const limitMs =
      this.#options.publisherConnectTimeoutMs ??
      defaultStreamSessionOptions.publisherConnectTimeoutMs;
    if (performance.now() - this.#createdAt > limitMs) {
      void this.#fail(
        'publisher_not_connected',
        `The publisher did not connect within ${limitMs} ms of its answer`,
      );
    }
  }

  /**
   * Detects an orchestrator that stopped returning video although it is fed. Output is expected
   * only while packets go to it, and after a gap in its input (publisher loss, faults) it gets
   * time for the keyframe round trip before silence counts.
   */
  #checkUpstream(): void {
    const upstream = this.#upstream;
    if (!upstream || this.#failingOver || this.#state === 'ended') return;
    const now = performance.now();
    if (now - this.#lastFedAt > feedGapMs) return;
    const silentMs = now - (upstream.lastPacketAt ?? upstream.createdAt);
    const limitMs =
      upstream.lastPacketAt === undefined
        ? (this.#options.firstPacketTimeoutMs ?? 3000)
        : (this.#options.stallTimeoutMs ?? 400);
    const fedMs = now - Math.max(this.#feedResumedAt, upstream.createdAt);
    if (silentMs > limitMs && fedMs > Math.max(limitMs, resumeGraceMs)) {
      void this.#failover(`no processed video for ${Math.round(silentMs)} ms`);
    }
  }

  async #failover(reason: string, cause?: unknown): Promise<void> {
    const old = this.#upstream;
    if (!old || this.#failingOver || this.#state === 'ended') return;
    this.#failingOver = true;
    this.#upstream = undefined;
    let settleMove = () => {};
    this.#moving = new Promise<void>((resolve) => {
      settleMove = resolve;
    });
    this.#log.warn({ orchestrator: old.client.url, reason }, 'orchestrator lost, failing over');
    this.emit('failover', { from: old.client.url, reason });
    this.#options.onOrchestratorFailed?.(old.client.url, cause);
    this.#failed.add(old.client.url);
    this.#spentBeforeWei += old.payer?.payment.spentWei ?? 0n;
    void closeUpstream(old);
    const now = performance.now();
    const windowMs = this.#options.swapWindowMs ?? 5 * 60_000;
    this.#swapTimes.push(now);
    const recent = this.#swapTimes.filter((t) => now - t <= windowMs).length;
    if (recent > (this.#options.maxSwaps ?? 5)) {
      this.#failingOver = false;
      await this.#fail(
        'too_many_failovers',
        `${recent} orchestrator failures within ${Math.round(windowMs / 1000)} s`,
      );
      settleMove();
      return;
    }
    this.#setState('reconnecting');
    try {
      // Prefer orchestrators that have not failed this stream; a failed one that answers again
      // (it was only stalled) beats ending the stream.
      const options = { ...this.#options, codec: this.codec };
      const upstream = await connectUpstream(options, this.#params, this.#failed).catch(
        (error: unknown) => {
          if (!(error instanceof HttpError && error.code === 'no_orchestrator')) throw error;
          return connectUpstream(options, this.#params, new Set());
        },
      );
      if ((this.#state as StreamState) === 'ended') {
        await closeUpstream(upstream);
        return;
      }
      // The publisher and viewers keep their track: continue sequence numbers and timestamps.
      this.#publisher.switchSource();
      for (const viewer of this.#viewers.values())
        if (viewer.source === 'processed') viewer.leg.switchSource();
      this.#attach(upstream);
      this.#log.info({ orchestrator: upstream.client.url }, 'stream moved');
    } catch (error) {
      await this.#fail(
        'no_orchestrator',
        `No orchestrator could take the stream over: ${(error as Error).message}`,
      );
    } finally {
      this.#failingOver = false;
      settleMove();
    }
  }

  async #fail(code: ErrorCode, message: string): Promise<void> {
    await this.close(message);
    this.emit('error', new StreamFailedError(code, message));
  }

  #setState(state: StreamState): void {
    if (this.#state === state || this.#state === 'ended') return;
    this.#state = state;
    this.#log.info({ state }, 'stream state');
    this.emit('state', state);
  }

  /** Ends the stream: both legs and the orchestrator's session. Idempotent. */
  async close(reason = 'closed'): Promise<void> {
    if (this.#state === 'ended') return;
    this.#log.info({ reason, ...this.stats() }, 'stream ending');
    this.#setState('ended');
    clearInterval(this.#watchdog);
    clearInterval(this.#ratesTimer);
    clearTimeout(this.#faultTimer);
    this.#audio?.close();
    const upstream = this.#upstream;
    this.#upstream = undefined;
    const viewers = [...this.#viewers.values()];
    this.#viewers.clear();
    await Promise.all([
      this.#publisher.close(),
      upstream ? closeUpstream(upstream) : undefined,
      ...viewers.map((viewer) => viewer.leg.close()),
    ]);
  }
}

function sfuOf(options: StreamSessionOptions): SfuAdapter {
  return options.sfu ?? weriftSfu;
}

function legOptions(options: StreamSessionOptions & { codec?: VideoCodecChoice }) {
  return {
    zeroPlayoutDelay: options.zeroPlayoutDelay ?? true,
    ...(options.codec ? { codec: options.codec } : {}),
  };
}

/**
 * Opens a leg to an orchestrator and a session on it, trying the next one when an orchestrator is
 * unreachable or busy. The caller's own mistakes (an unknown pipeline, bad params) fail at once,
 * before anything is paid. An orchestrator with no free session is no failure of its own: the
 * next is tried, and when none is left the stream is refused with 503 `capacity_exhausted`.
 */
async function connectUpstream(
  options: StreamSessionOptions & { codec: VideoCodecChoice },
  params: Record<string, unknown>,
  exclude: Set<string>,
): Promise<Upstream> {
  const tried = new Set(exclude);
  const full: string[] = [];
  for (;;) {
    let client: OrchestratorClient;
    try {
      client = options.selectOrchestrator(tried);
    } catch (error) {
      if (full.length > 0 && error instanceof HttpError && error.code === 'no_orchestrator') {
        throw new HttpError(
          503,
          'capacity_exhausted',
          `Every orchestrator that could take a "${options.pipeline}" stream is at capacity (${full.join(', ')}): try again shortly`,
          { retryable: true, cause: error },
        );
      }
      throw error;
    }
    tried.add(client.url);
    let leg: SfuLeg | undefined;
    try {
      // Before a leg is made or anything is paid: bad params would only be refused after both.
      await options.checkParams?.(client, params);
      const offered = await sfuOf(options).offer(legOptions(options));
      leg = offered.leg;
      const { offerSdp } = offered;
      const upfront = await payUpfront(options, client);
      const created = await client.createSession({
        // The hints in our offer set the bitrate of the orchestrator's encoder (sending to us).
        sdp: setVideoBitrateHints(offerSdp, options.bitrate),
        pipeline: options.pipeline,
        params,
        ...(upfront ? { payment: upfront.payment } : {}),
      });
      try {
        await leg.accept(created.sdp);
      } catch (error) {
        await client.deleteSession(created.id).catch(() => {});
        throw error;
      }
      const payer =
        upfront && options.payments
          ? new StreamPayer({
              payments: options.payments,
              client,
              sessionId: created.id,
              pipeline: options.pipeline,
              quote: upfront.quote,
              upfrontWei: upfront.expectedValueWei,
              balanceWei: upfront.expectedValueWei,
            })
          : undefined;
      return {
        leg,
        client,
        sessionId: created.id,
        createdAt: performance.now(),
        lastPacketAt: undefined,
        priceWeiPerSecond: upfront?.quote.priceWeiPerSecond ?? 0n,
        payer,
        framesAfter: 0,
        clockSamples: [],
      };
    } catch (error) {
      await leg?.close();
      if (error instanceof PriceTooHighError) continue;
      // The gateway cannot pay anyone (its deposit is unlocking): no orchestrator is at fault.
      if (error instanceof PaymentError && error.blame === 'gateway') throw error;
      const callersMistake =
        error instanceof HttpError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 429 &&
        // 402: this orchestrator refused the payment; another may take it.
        error.status !== 402;
      if (callersMistake) throw error;
      if (error instanceof HttpError && error.code === 'capacity_exhausted') {
        full.push(client.url);
        continue;
      }
      options.onOrchestratorFailed?.(client.url, error);
    }
  }
}

/** The orchestrator charges more than this stream may pay: try another, it is not a failure. */
class PriceTooHighError extends BaseError {
  override name = 'PriceTooHighError';
}

/**
 * Asks the orchestrator its price and ticket params and signs the upfront payment it wants;
 * undefined when it does not charge for this pipeline.
 */
async function payUpfront(options: StreamSessionOptions, client: OrchestratorClient) {
  const { payments } = options;
  if (!payments) return undefined;
  const quote = await payments.quote(client, options.pipeline);
  if (!quote || quote.priceWeiPerSecond === 0n) return undefined;
  const maxPrice = options.maxPriceWeiPerSecond ?? payments.options.maxPriceWeiPerSecond;
  if (maxPrice !== undefined && quote.priceWeiPerSecond > maxPrice) {
    throw new PriceTooHighError(
      'price_too_high',
      `${client.url} charges ${quote.priceWeiPerSecond} wei/s for "${options.pipeline}"; this stream pays at most ${maxPrice}`,
    );
  }
  const { payment, expectedValueWei } = await payments.pay(
    quote.params,
    quote.priceWeiPerSecond * BigInt(quote.upfrontSeconds),
  );
  return { quote, payment, expectedValueWei };
}

async function closeUpstream(upstream: Upstream): Promise<void> {
  upstream.payer?.stop();
  await upstream.leg.close();
  await upstream.client.deleteSession(upstream.sessionId).catch(() => {});
}
