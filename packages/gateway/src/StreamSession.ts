import { randomUUID } from 'node:crypto';
import {
  type BitrateHints,
  createLogger,
  type Logger,
  setVideoBitrateHints,
  TypedEmitter,
} from '@peerframe/core';
import type { OrchestratorClient } from './OrchestratorClient.ts';
import { type LegState, WeriftLeg } from './WeriftLeg.ts';

export type StreamState = 'connecting' | 'live' | 'ended';

/** Packets the gateway drops on purpose, for fault-injection tests (ratios 0..1). */
export type StreamFaults = {
  /** Share of publisher → orchestrator packets dropped. */
  dropToOrchestratorRatio: number;
  /** Share of orchestrator → publisher packets dropped. */
  dropToPublisherRatio: number;
};

export type StreamSessionEvents = {
  state: [StreamState];
};

export type StreamSessionOptions = {
  pipeline: string;
  params: Record<string, unknown>;
  orchestrator: OrchestratorClient;
  /** Bitrate the publisher's and the orchestrator's encoders start at and keep within. */
  bitrate: BitrateHints;
  /** Write playout delay 0 on every forwarded packet (default true). */
  zeroPlayoutDelay?: boolean;
  /** Shortest time between two keyframe requests forwarded upstream, ms (default 250). */
  keyframeRequestIntervalMs?: number;
};

export type StreamStats = {
  id: string;
  state: StreamState;
  pipeline: string;
  orchestrator: string;
  /** The session id this stream has on its orchestrator. */
  orchestratorSessionId: string;
  packetsFromPublisher: number;
  packetsToOrchestrator: number;
  packetsFromOrchestrator: number;
  packetsToPublisher: number;
  keyframeRequestsToPublisher: number;
  keyframeRequestsToOrchestrator: number;
  /** Packets dropped by fault injection. */
  packetsDropped: number;
};

/**
 * One published stream through the gateway's SFU: the publisher's leg (WHIP, sendrecv) and the
 * orchestrator's leg. RTP goes publisher → orchestrator and back untouched but for SSRC, payload
 * type and header extensions; keyframe requests travel upstream on both paths.
 */
export class StreamSession extends TypedEmitter<StreamSessionEvents> {
  readonly id = randomUUID();
  readonly pipeline: string;
  readonly answerSdp: string;
  readonly #publisher: WeriftLeg;
  readonly #upstream: WeriftLeg;
  readonly #orchestrator: OrchestratorClient;
  readonly #orchestratorSessionId: string;
  readonly #log: Logger;
  #state: StreamState = 'connecting';
  #keyframeRequestsToPublisher = 0;
  #keyframeRequestsToOrchestrator = 0;
  #faults: StreamFaults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0 };
  #faultTimer: NodeJS.Timeout | undefined;
  #packetsDropped = 0;

  private constructor(
    publisher: WeriftLeg,
    answerSdp: string,
    upstream: WeriftLeg,
    orchestratorSessionId: string,
    options: StreamSessionOptions,
  ) {
    super();
    this.#publisher = publisher;
    this.answerSdp = answerSdp;
    this.#upstream = upstream;
    this.#orchestrator = options.orchestrator;
    this.#orchestratorSessionId = orchestratorSessionId;
    this.pipeline = options.pipeline;
    this.#log = createLogger('gateway:stream', { streamId: this.id, pipeline: options.pipeline });
    this.#wire(options.keyframeRequestIntervalMs ?? 250);
  }

  /**
   * Opens the orchestrator leg (so an unknown pipeline or a busy orchestrator fails the request
   * before the publisher is answered), then answers the publisher's offer.
   */
  static async create(offerSdp: string, options: StreamSessionOptions): Promise<StreamSession> {
    const legOptions = { zeroPlayoutDelay: options.zeroPlayoutDelay ?? true };
    const { leg: upstream, offerSdp: upstreamOffer } = await WeriftLeg.offer(legOptions);
    let orchestratorSessionId: string | undefined;
    let publisher: WeriftLeg | undefined;
    try {
      const created = await options.orchestrator.createSession({
        // The hints in our offer set the bitrate of the orchestrator's encoder (sending to us).
        sdp: setVideoBitrateHints(upstreamOffer, options.bitrate),
        pipeline: options.pipeline,
        params: options.params,
      });
      orchestratorSessionId = created.id;
      await upstream.accept(created.sdp);
      const answered = await WeriftLeg.answer(offerSdp, legOptions);
      publisher = answered.leg;
      // The hints in our answer set the bitrate of the publisher's encoder.
      const answerSdp = setVideoBitrateHints(answered.answerSdp, options.bitrate);
      return new StreamSession(publisher, answerSdp, upstream, created.id, options);
    } catch (error) {
      await publisher?.close();
      await upstream.close();
      if (orchestratorSessionId)
        await options.orchestrator.deleteSession(orchestratorSessionId).catch(() => {});
      throw error;
    }
  }

  get state(): StreamState {
    return this.#state;
  }

  stats(): StreamStats {
    return {
      id: this.id,
      state: this.#state,
      pipeline: this.pipeline,
      orchestrator: this.#orchestrator.url,
      orchestratorSessionId: this.#orchestratorSessionId,
      packetsFromPublisher: this.#publisher.packetsIn,
      packetsToOrchestrator: this.#upstream.packetsOut,
      packetsFromOrchestrator: this.#upstream.packetsIn,
      packetsToPublisher: this.#publisher.packetsOut,
      keyframeRequestsToPublisher: this.#keyframeRequestsToPublisher,
      keyframeRequestsToOrchestrator: this.#keyframeRequestsToOrchestrator,
      packetsDropped: this.#packetsDropped,
    };
  }

  /**
   * Drops a share of the forwarded packets in each direction for `durationMs` (fault injection
   * for tests; the gateway exposes it only when started with fault injection enabled).
   */
  injectFaults(faults: Partial<StreamFaults>, durationMs: number): void {
    clearTimeout(this.#faultTimer);
    this.#faults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0, ...faults };
    this.#faultTimer = setTimeout(() => {
      this.#faults = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0 };
    }, durationMs);
  }

  #wire(keyframeRequestIntervalMs: number): void {
    const publisher = this.#publisher;
    const upstream = this.#upstream;
    const dropped = (ratio: number) => {
      if (ratio === 0 || Math.random() >= ratio) return false;
      this.#packetsDropped++;
      return true;
    };
    publisher.on('rtp', (packet) => {
      if (!dropped(this.#faults.dropToOrchestratorRatio)) upstream.send(packet);
    });
    upstream.on('rtp', (packet) => {
      if (!dropped(this.#faults.dropToPublisherRatio)) publisher.send(packet);
    });
    let lastToPublisher = 0;
    const askPublisher = () => {
      const now = performance.now();
      if (now - lastToPublisher < keyframeRequestIntervalMs) return;
      lastToPublisher = now;
      this.#keyframeRequestsToPublisher++;
      publisher.requestKeyframe();
    };
    let lastToOrchestrator = 0;
    const askOrchestrator = () => {
      const now = performance.now();
      if (now - lastToOrchestrator < keyframeRequestIntervalMs) return;
      lastToOrchestrator = now;
      this.#keyframeRequestsToOrchestrator++;
      upstream.requestKeyframe();
    };
    upstream.on('keyframeRequest', askPublisher);
    publisher.on('keyframeRequest', askOrchestrator);
    // A receiver NACKing packets the gateway never had would wait seconds before its own PLI
    // (libwebrtc froze ~2.6 s after 400 ms of loss): ask the source for a keyframe now.
    upstream.on('unrepairableLoss', askPublisher);
    publisher.on('unrepairableLoss', askOrchestrator);
    const onLegState = (leg: string) => (state: LegState) => {
      this.#log.debug({ leg, state }, 'leg state');
      if (state === 'failed' || state === 'closed') void this.close(`${leg} leg ${state}`);
      if (
        publisher.state === 'connected' &&
        upstream.state === 'connected' &&
        this.#state === 'connecting'
      ) {
        this.#setState('live');
        // The orchestrator's decoder needs a keyframe to start: packets sent before its leg was up are gone.
        askPublisher();
      }
    };
    publisher.on('state', onLegState('publisher'));
    upstream.on('state', onLegState('orchestrator'));
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
    clearTimeout(this.#faultTimer);
    await Promise.all([
      this.#publisher.close(),
      this.#upstream.close(),
      this.#orchestrator.deleteSession(this.#orchestratorSessionId).catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not end the orchestrator session');
      }),
    ]);
  }
}
