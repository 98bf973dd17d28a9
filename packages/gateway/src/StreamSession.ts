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
    };
  }

  #wire(keyframeRequestIntervalMs: number): void {
    const publisher = this.#publisher;
    const upstream = this.#upstream;
    publisher.on('rtp', (packet) => upstream.send(packet));
    upstream.on('rtp', (packet) => publisher.send(packet));
    let lastToPublisher = 0;
    const askPublisher = () => {
      const now = performance.now();
      if (now - lastToPublisher < keyframeRequestIntervalMs) return;
      lastToPublisher = now;
      this.#keyframeRequestsToPublisher++;
      publisher.requestKeyframe();
    };
    let lastToOrchestrator = 0;
    upstream.on('keyframeRequest', askPublisher);
    publisher.on('keyframeRequest', () => {
      const now = performance.now();
      if (now - lastToOrchestrator < keyframeRequestIntervalMs) return;
      lastToOrchestrator = now;
      upstream.requestKeyframe();
    });
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
    await Promise.all([
      this.#publisher.close(),
      this.#upstream.close(),
      this.#orchestrator.deleteSession(this.#orchestratorSessionId).catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not end the orchestrator session');
      }),
    ]);
  }
}
