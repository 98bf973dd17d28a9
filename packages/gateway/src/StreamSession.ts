import { randomUUID } from 'node:crypto';
import {
  createLogger,
  type ErrorCode,
  HttpError,
  type Logger,
  TypedEmitter,
} from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { Wei } from '@peerframe/protocol';
import type { StreamState, StreamStats } from '@peerframe/wire';
import type { AudioRelay } from './AudioRelay.ts';
import { answerPublisher } from './answerPublisher.ts';
import { checkStreamOffer } from './checkStreamOffer.ts';
import { Failover } from './Failover.ts';
import { FrameTimeline } from './FrameTimeline.ts';
import { type HandoverState, HandoverWatch } from './HandoverWatch.ts';
import { LoopStalls } from './LoopStalls.ts';
import { probeUpstream } from './probeUpstream.ts';
import {
  assertCandidateCount,
  countUdpCandidates,
  type IceFragment,
  type LegState,
  type SfuAdapter,
  type SfuLeg,
} from './SfuAdapter.ts';
import { StreamRouter } from './StreamRouter.ts';
import {
  defaultStreamSessionOptions,
  StreamFailedError,
  type StreamSessionEvents,
  type StreamSessionOptions,
} from './StreamSessionTypes.ts';
import { StreamViewers, type ViewerSource } from './StreamViewers.ts';
import {
  closeUpstream,
  connectUpstream,
  legOptions,
  reofferUpstream,
  sfuOf,
  type Upstream,
} from './Upstream.ts';
import { weriftSfu } from './WeriftLeg.ts';
import { wirePublisherAudio } from './wirePublisherAudio.ts';

const watchdogIntervalMs = 100;

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
  /**
   * The video codec the publisher sends, the orchestrator gets and returns, and viewers get;
   * undefined for an audio-only stream (its pipeline processes audio only).
   */
  readonly codec: VideoCodecChoice | undefined;
  /** The publisher's audio codec; undefined when it sends none (or the SFU carries none). */
  readonly audioCodec: AudioCodecChoice | undefined;
  readonly #publisher: SfuLeg;
  /** The publisher's audio on its way back out; undefined without audio. */
  readonly #audio: AudioRelay | undefined;
  readonly #options: StreamSessionOptions;
  readonly #log: Logger;
  #params: Record<string, unknown>;
  #state: StreamState = 'connecting';
  /** Changes of `#state` so far (`@peerframe/wire`'s `StateSeq`): orders them for control clients. */
  #stateSeq = 0;
  readonly #watchdog: NodeJS.Timeout;
  readonly #createdAt = performance.now();
  /** The publisher's packet count when it last changed, and when (`#checkPublisherSilence`). */
  #publisherSeen = { packets: 0, atMs: this.#createdAt };
  readonly #viewers: StreamViewers;
  readonly #router: StreamRouter;
  readonly #failover: Failover;
  /** Settles once the failover in progress attached another orchestrator or ended the stream. */
  #moving: Promise<void> | undefined;
  #paramUpdates: Promise<void> = Promise.resolve();
  /** The publisher's ICE username fragment, and how many ICE restarts it made. */
  #publisherUfrag: string | undefined;
  #iceGeneration = 0;
  /** UDP candidates the publisher named so far (offer and PATCHes since its last ICE restart). */
  #publisherCandidates: number;
  /** Paid to orchestrators this stream left, wei. */
  #spentBeforeWei = 0n;
  readonly #ratesTimer: NodeJS.Timeout;
  readonly #timeline = new FrameTimeline();
  /** The orchestrator's own view, fetched each second; undefined when it does not answer. */
  #orchestratorView: { pipelineMsP50: number; framesDropped: number } | undefined;

  private constructor(
    publisher: SfuLeg,
    offerSdp: string,
    answerSdp: string,
    upstream: Upstream,
    options: StreamSessionOptions & { codec?: VideoCodecChoice; audioCodec?: AudioCodecChoice },
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
    this.#failover = new Failover(
      { ...options, loopStalls: options.loopStalls ?? LoopStalls.process() },
      this.codec ? 'video' : 'audio',
    );
    this.#viewers = new StreamViewers({
      sfu: sfuOf(options),
      legOptions: legOptions(options),
      codec: this.codec,
      audioCodec: this.audioCodec,
      maxViewers: options.maxViewers ?? 50,
      connectTimeoutMs:
        options.viewerConnectTimeoutMs ?? defaultStreamSessionOptions.viewerConnectTimeoutMs,
      askKeyframe: (source) => this.#router.askSource(source),
      nativeSource: (source) =>
        source === 'source' ? this.#publisher : this.#router.upstream?.leg,
      log: this.#log,
    });
    this.#router = new StreamRouter({
      publisher,
      viewers: this.#viewers,
      timeline: this.#timeline,
      keyframeRequestIntervalMs: options.keyframeRequestIntervalMs,
      onFed: (now) => this.#failover.fed(now),
      onProcessed: () => this.#maybeLive(),
      onProcessedAudio: (packet, arrivedAtMs) => this.#audio?.push(packet, arrivedAtMs),
      audioOnly: this.codec === undefined,
      onLinkError: (error) => this.#log.error({ err: error }, 'native forwarding link failed'),
    });
    this.#wirePublisher();
    this.#audio = wirePublisherAudio({
      publisher,
      timeline: this.#timeline,
      viewers: this.#viewers,
      router: this.#router,
      video: this.codec !== undefined,
      relayOptions: options.audioRelay,
    });
    this.#attach(upstream);
    this.#watchdog = setInterval(() => {
      this.#checkPublisher();
      this.#checkUpstream();
    }, watchdogIntervalMs);
    this.#watchdog.unref();
    this.#ratesTimer = setInterval(() => void this.#everySecond(), 1000);
    this.#ratesTimer.unref();
  }

  /** Answers the publisher's offer while an orchestrator takes the stream, returning once one has (`answerPublisher`). */
  static async create(offerSdp: string, options: StreamSessionOptions): Promise<StreamSession> {
    const { codec, audioCodec } = StreamSession.checkOffer(offerSdp, options.sfu);
    const withCodec = {
      ...options,
      ...(codec ? { codec } : {}),
      ...(audioCodec ? { audioCodec } : {}),
    };
    const { leg, answerSdp, upstream } = await answerPublisher(offerSdp, withCodec);
    return new StreamSession(leg, offerSdp, answerSdp, upstream, withCodec);
  }

  /** The codecs a publisher's offer is carried with, or a 4xx (`checkStreamOffer`). */
  static checkOffer(
    offerSdp: string,
    sfu: SfuAdapter | undefined,
  ): { codec: VideoCodecChoice | undefined; audioCodec: AudioCodecChoice | undefined } {
    return checkStreamOffer(offerSdp, sfu ?? weriftSfu);
  }

  get state(): StreamState {
    return this.#state;
  }

  /** The count of `state`'s changes so far; each `state` event carries the one it made. */
  get stateSeq(): number {
    return this.#stateSeq;
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
      orchestrator: this.#router.upstream?.client.url ?? '',
      orchestratorSessionId: this.#router.upstream?.sessionId ?? '',
      swaps: this.#failover.swaps,
      playbackId: this.playbackId,
      codec: this.codec?.name ?? 'none',
      viewers: this.#viewers.size,
      packetsFromPublisher: this.#publisher.packetsIn,
      packetsFromOrchestrator: this.#router.counters.packetsFromOrchestrator,
      packetsToOrchestrator: this.#router.counters.packetsToOrchestrator,
      packetsToPublisher: this.#publisher.packetsOut,
      keyframeRequestsToPublisher: this.#router.counters.keyframeRequestsToPublisher,
      keyframeRequestsToOrchestrator: this.#router.counters.keyframeRequestsToOrchestrator,
      packetsDropped: this.#publisher.packetsDropped ?? 0,
      packetsLost:
        (this.#publisher.packetsLost ?? 0) + (this.#router.upstream?.leg.packetsLost ?? 0),
      priceWeiPerSecond: (this.#router.upstream?.priceWeiPerSecond ?? 0n).toString(),
      spentWei: this.#spentWei().toString(),
      balanceWei: (this.#router.upstream?.payer?.payment.balanceWei ?? 0n).toString(),
      ...(this.#audio && this.audioCodec
        ? {
            audio: this.#audio.streamStats(
              this.audioCodec.name,
              this.#publisher.audioPacketsIn ?? 0,
            ),
          }
        : {}),
    };
  }

  #spentWei(): Wei {
    return this.#spentBeforeWei + (this.#router.upstream?.payer?.payment.spentWei ?? 0n);
  }

  /** The orchestrator's own view (pipeline time, frames its queue dropped) as of the last second. */
  orchestratorStats(): { pipelineMsP50: number; framesDropped: number } | undefined {
    return this.#orchestratorView;
  }

  /** Fetches the orchestrator's view and frame records, then reports the second's rates and hops. */
  async #everySecond(): Promise<void> {
    const rates = this.#router.takeRates();
    await this.#pollOrchestrator();
    if (this.#state === 'ended') return;
    this.emit('rates', { ...rates, hops: this.#timeline.take() });
  }

  async #pollOrchestrator(): Promise<void> {
    const upstream = this.#router.upstream;
    if (!upstream) return;
    const sentAtMs = epochNowMs();
    try {
      const view = await upstream.client.session(upstream.sessionId, upstream.framesAfter);
      const answeredAtMs = epochNowMs();
      if (this.#router.upstream !== upstream) return;
      this.#orchestratorView = {
        pipelineMsP50: view.pipelineMsP50,
        framesDropped: view.framesDropped,
      };
      const { frames, receivedAtMs, nowMs } = view;
      if (!frames || receivedAtMs === undefined || nowMs === undefined) return;
      const offsetMs = upstream.clock.exchange({ sentAtMs, receivedAtMs, nowMs, answeredAtMs });
      this.#timeline.orchestratorRecords(frames, offsetMs);
      upstream.framesAfter = frames.at(-1)?.seq ?? upstream.framesAfter;
    } catch {
      if (this.#router.upstream === upstream) this.#orchestratorView = undefined;
    }
  }

  /** Moves the stream to another orchestrator now (its own is draining, or an operator asked). */
  moveAway(reason: string): Promise<void> {
    return this.#moveAway(reason);
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
      const upstream = this.#router.upstream;
      if (!upstream) throw new HttpError(404, 'stream_not_found', `No live stream ${this.id}`);
      try {
        await upstream.client.updateParams(upstream.sessionId, params);
      } catch (error) {
        if (this.#router.upstream === upstream) throw error;
        continue; // refused by an orchestrator the stream has left: the next one decides
      }
      if (this.#router.upstream === upstream) {
        this.#params = { ...this.#params, ...params };
        return;
      }
    }
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
    return this.#viewers.add(offerSdp, source);
  }

  /** Ends one viewer's playback. Returns false for an unknown id. */
  removeViewer(viewerId: string): Promise<boolean> {
    return this.#viewers.remove(viewerId);
  }

  #wirePublisher(): void {
    this.#publisher.on('state', (state) => {
      this.#log.debug({ leg: 'publisher', state }, 'leg state');
      if (state === 'failed' || state === 'closed') void this.close(`publisher leg ${state}`);
      this.#maybeLive();
    });
  }

  #attach(upstream: Upstream, handedOver = false): void {
    this.#router.route(upstream);
    this.#orchestratorView = undefined;
    const { leg } = upstream;
    leg.on('state', (state: LegState) => {
      if (this.#router.upstream !== upstream) return;
      this.#log.debug({ leg: 'orchestrator', state }, 'leg state');
      if (state === 'connected') {
        // The keyframe asked for below may be gone (not held, or held too long): ask again.
        this.#router.askPublisher({ force: true });
      }
      if (state === 'failed' || state === 'closed' || state === 'disconnected') {
        void this.#moveAway(`orchestrator leg ${state}`);
      }
    });
    // The decoder starts at a keyframe: asked for now, it comes while the leg connects (which
    // holds it: `WeriftLeg`), not a round trip and an encode after.
    this.#router.askPublisher();
    // A hand-over between the orchestrator's workers keeps the session, so its payer (wired once).
    upstream.watch = new HandoverWatch(
      upstream.client,
      upstream.sessionId,
      (state) => void this.#handOver(upstream, state),
      this.#log,
      // The orchestrator may be gone: when it is, a short silence moves the stream (`Failover`).
      () => void probeUpstream(upstream),
    );
    const { payer } = upstream;
    const serving = () => this.#router.upstream?.payer === payer;
    if (payer && !handedOver) {
      payer.on('payment', (payment) => {
        if (serving()) this.emit('payment', { ...payment, totalSpentWei: this.#spentWei() });
      });
      // A payment the orchestrator will not take: the stream moves before it is cut off.
      payer.on('failed', ({ reason, cause }) => {
        if (serving()) void this.#moveAway(reason, cause);
      });
      // The gateway pays no one (its deposit is unlocking): the stream ends, nobody's fault.
      payer.on('cannot-pay', ({ code, reason }) => {
        if (serving()) void this.#fail(code, reason);
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
    if (this.#router.upstream?.lastPacketAt !== undefined) this.#setState('live');
    else if (this.#state === 'connecting') this.#setState('warming');
  }

  /**
   * A publisher that never connects (a bare WHIP POST), or that stopped sending, must not hold an
   * orchestrator (and pay it) for ever.
   */
  #checkPublisher(): void {
    if (this.#state === 'ended') return;
    if (this.#state !== 'connecting') {
      this.#checkPublisherSilence();
      return;
    }
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

  /** Ends the stream once its connected publisher sent nothing for `publisherSilenceTimeoutMs`. */
  #checkPublisherSilence(): void {
    const nowMs = performance.now();
    const packets = this.#publisher.packetsIn + (this.#publisher.audioPacketsIn ?? 0);
    if (packets !== this.#publisherSeen.packets) {
      this.#publisherSeen = { packets, atMs: nowMs };
      return;
    }
    const limitMs =
      this.#options.publisherSilenceTimeoutMs ??
      defaultStreamSessionOptions.publisherSilenceTimeoutMs;
    if (limitMs > 0 && nowMs - this.#publisherSeen.atMs > limitMs) {
      void this.#fail('publisher_silent', `The publisher sent no media for ${limitMs} ms`);
    }
  }

  /** Moves the stream away from an orchestrator that stopped returning video although it is fed. */
  #checkUpstream(): void {
    const upstream = this.#router.upstream;
    if (!upstream || this.#state === 'ended') return;
    const stalled = this.#failover.stalled(upstream, performance.now());
    if (stalled) void this.#moveAway(stalled.shortMessage, stalled);
  }

  /** What a new orchestrator leg is made with: the publisher's video codec, and its audio one. */
  #upstreamOptions() {
    // A pipeline that processes audio gets the publisher's Opus on the new leg too.
    const { audioCodec, codec } = this;
    return {
      ...this.#options,
      ...(codec ? { codec } : {}),
      ...(audioCodec ? { audioCodec } : {}),
    };
  }

  /**
   * The orchestrator lost the worker of this stream's session: `pending`, re-offer it to the same
   * orchestrator at once (same session, params and payer; no failure counted, nothing excluded);
   * `failed`, or a re-offer refused, fail over as usual. A failover already under way acts alone.
   */
  async #handOver(old: Upstream, state: HandoverState): Promise<void> {
    if (this.#router.upstream !== old || this.#state === 'ended') return;
    if (state === 'failed')
      return this.#moveAway('the orchestrator could not hand the session over');
    if (!this.#failover.hold()) return;
    this.#router.route(undefined);
    const moved = this.#hold();
    this.#log.info({ orchestrator: old.client.url }, 'session handed over to another worker');
    this.#setState('reconnecting');
    old.watch?.stop();
    void old.leg.close();
    let failure: Error | undefined;
    try {
      const upstream = await reofferUpstream(this.#upstreamOptions(), old, this.#publisher);
      if ((this.#state as StreamState) === 'ended') return void (await closeUpstream(upstream));
      this.#publisher.switchSource();
      for (const leg of this.#viewers.processedLegs()) leg.switchSource();
      this.#attach(upstream, true);
    } catch (error) {
      failure = error as Error;
    } finally {
      this.#failover.end();
      moved();
    }
    if (failure) {
      this.#router.route(old);
      await this.#moveAway(`hand-over failed: ${failure.message}`, failure);
    }
  }

  /** Param updates wait on the returned settle function's call (a move in progress). */
  #hold(): () => void {
    let settle = () => {};
    this.#moving = new Promise<void>((resolve) => {
      settle = resolve;
    });
    return settle;
  }

  async #moveAway(reason: string, cause?: unknown): Promise<void> {
    const old = this.#router.upstream;
    if (!old || this.#failover.busy || this.#state === 'ended') return;
    const verdict = this.#failover.begin(old.client.url);
    if (verdict === false) return;
    this.#router.route(undefined);
    const settleMove = this.#hold();
    this.#log.warn({ orchestrator: old.client.url, reason }, 'orchestrator lost, failing over');
    this.emit('failover', { from: old.client.url, reason });
    this.#options.onOrchestratorFailed?.(old.client.url, cause);
    this.#spentBeforeWei += old.payer?.payment.spentWei ?? 0n;
    void closeUpstream(old);
    if (verdict !== true) {
      await this.#fail('too_many_failovers', verdict.tooMany);
      settleMove();
      return;
    }
    this.#setState('reconnecting');
    try {
      const options = this.#upstreamOptions();
      const upstream = await this.#failover.replacement((exclude) =>
        connectUpstream(options, this.#params, exclude, this.#publisher),
      );
      if ((this.#state as StreamState) === 'ended') {
        await closeUpstream(upstream);
        return;
      }
      // The publisher and viewers keep their track: continue sequence numbers and timestamps.
      this.#publisher.switchSource();
      for (const leg of this.#viewers.processedLegs()) leg.switchSource();
      this.#attach(upstream);
      this.#log.info({ orchestrator: upstream.client.url }, 'stream moved');
    } catch (error) {
      await this.#fail(
        'no_orchestrator',
        `No orchestrator could take the stream over: ${(error as Error).message}`,
      );
    } finally {
      this.#failover.end();
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
    this.#stateSeq++;
    this.#log.info({ state, stateSeq: this.#stateSeq }, 'stream state');
    this.emit('state', state, this.#stateSeq);
  }

  /** Ends the stream: both legs and the orchestrator's session. Idempotent. */
  async close(reason = 'closed'): Promise<void> {
    if (this.#state === 'ended') return;
    this.#log.info({ reason, ...this.stats() }, 'stream ending');
    this.#setState('ended');
    clearInterval(this.#watchdog);
    clearInterval(this.#ratesTimer);
    this.#audio?.close();
    const upstream = this.#router.upstream;
    this.#router.close();
    await Promise.all([
      this.#publisher.close(),
      upstream ? closeUpstream(upstream) : undefined,
      this.#viewers.close(),
    ]);
  }
}
