import type { SignedTicket } from '@peerframe/protocol';
import type { GatewayPayments, PaymentOutcome, PaymentQuote } from '../GatewayPayments.ts';
import type { OrchestratorClient } from '../OrchestratorClient.ts';
import type { SfuAdapter, SfuLeg, SfuLegOptions } from '../SfuAdapter.ts';
import type { StreamPayments } from '../StreamPayer.ts';
import { FaultyLeg } from './FaultyLeg.ts';

/** Faults injected into one stream (ratios 0..1), for tests (`POST /streams/:id/faults`). */
export type StreamFaultSettings = {
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

const noFaults: StreamFaultSettings = { dropToOrchestratorRatio: 0, dropToPublisherRatio: 0 };

/**
 * Fault injection for one stream: the SFU and the payments the stream is made with, wrapped.
 * Its publisher's leg and orchestrator legs are `FaultyLeg`s (its viewers' are the SFU's own),
 * and its payments can sign the current orchestrator's tickets wrongly. The gateway makes one
 * per stream only when it runs with fault injection on.
 */
export class StreamFaults implements SfuAdapter {
  readonly #sfu: SfuAdapter;
  #settings = noFaults;
  #timer: NodeJS.Timeout | undefined;
  #publisher: FaultyLeg | undefined;
  /** The newest orchestrator leg (the stream's current one once it is accepted). */
  #orchestrator: FaultyLeg | undefined;
  /** The orchestrator session whose tickets are corrupted (the one paid when corruption began). */
  #corruptSession: string | undefined;
  #corruptNext = false;
  /** The payments to give the stream; undefined without payments. */
  readonly payments: StreamPayments | undefined;

  constructor(sfu: SfuAdapter, payments: GatewayPayments | undefined) {
    this.#sfu = sfu;
    this.payments = payments && this.#corrupting(payments);
  }

  get name(): string {
    return this.#sfu.name;
  }
  get audio(): boolean {
    return this.#sfu.audio ?? false;
  }
  get audioWithoutVideo(): boolean {
    return this.#sfu.audioWithoutVideo ?? this.audio;
  }
  get videoCodecs(): NonNullable<SfuAdapter['videoCodecs']> {
    return this.#sfu.videoCodecs ?? ['VP8'];
  }

  /** Applies `settings` for `durationMs`, then none again. */
  inject(settings: StreamFaultSettings, durationMs: number): void {
    clearTimeout(this.#timer);
    this.#apply(settings);
    if (settings.corruptPayments) this.#corruptNext = true;
    this.#timer = setTimeout(() => this.#apply(noFaults), durationMs);
    this.#timer.unref();
  }

  async answer(
    offerSdp: string,
    options?: SfuLegOptions,
  ): Promise<{ leg: SfuLeg; answerSdp: string }> {
    const answered = await this.#sfu.answer(offerSdp, options);
    // A viewer's leg (sendonly) is left as it is.
    if (options?.direction === 'sendonly') return answered;
    this.#publisher = new FaultyLeg(answered.leg);
    this.#apply(this.#settings);
    return { leg: this.#publisher, answerSdp: answered.answerSdp };
  }

  async offer(options?: SfuLegOptions): Promise<{ leg: SfuLeg; offerSdp: string }> {
    const offered = await this.#sfu.offer(options);
    this.#orchestrator = new FaultyLeg(offered.leg);
    this.#apply(this.#settings);
    return { leg: this.#orchestrator, offerSdp: offered.offerSdp };
  }

  /** Stops the timer; the SFU it wraps is the gateway's, which closes it. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
  }

  #apply(settings: StreamFaultSettings): void {
    this.#settings = settings;
    this.#publisher?.setFaults({
      dropReceivedRatio: settings.dropToOrchestratorRatio,
      dropSentRatio: settings.dropToPublisherRatio,
      lossRatio: settings.lossToPublisherRatio ?? 0,
    });
    this.#orchestrator?.setFaults({
      dropReceivedRatio: 0,
      dropSentRatio: 0,
      lossRatio: settings.lossToOrchestratorRatio ?? 0,
    });
  }

  /** `payments`, whose `send` signs wrongly for the session paid when corruption began. */
  #corrupting(payments: GatewayPayments): StreamPayments {
    return {
      options: payments.options,
      sender: payments.sender,
      quote: (client, pipeline) => payments.quote(client, pipeline),
      pay: (params, amountWei) => payments.pay(params, amountWei),
      exhausts: (params, amountWei) => payments.exhausts(params, amountWei),
      expiresSoon: (params) => payments.expiresSoon(params),
      send: (
        client: OrchestratorClient,
        sessionId: string,
        quote: PaymentQuote,
        tickets: readonly SignedTicket[],
      ): Promise<PaymentOutcome> => {
        if (this.#corruptNext) {
          this.#corruptNext = false;
          this.#corruptSession = sessionId;
        }
        const sent =
          sessionId === this.#corruptSession
            ? tickets.map((t) => ({ ...t, signature: `0x${'00'.repeat(65)}` as const }))
            : tickets;
        return payments.send(client, sessionId, quote, sent);
      },
    };
  }
}
