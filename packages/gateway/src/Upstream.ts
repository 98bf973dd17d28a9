import { BaseError, HttpError } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { setVideoBitrateHints } from '@peerframe/core/sdp';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { Wei } from '@peerframe/protocol';
import { ExchangeClock } from './clocks/ExchangeClock.ts';
import { PaymentError } from './GatewayPayments.ts';
import type { HandoverWatch } from './HandoverWatch.ts';
import type { OrchestratorClient } from './OrchestratorClient.ts';
import type { SfuAdapter, SfuLeg } from './SfuAdapter.ts';
import { StreamPayer } from './StreamPayer.ts';
import type { StreamSessionOptions } from './StreamSessionTypes.ts';
import { weriftSfu } from './WeriftLeg.ts';

/** The current orchestrator leg of a stream. */
export type Upstream = {
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
  /** The orchestrator's clock offset, from its answers to the gateway's polls. */
  clock: ExchangeClock;
  /** Follows the session's hand-overs between the orchestrator's workers, once attached. */
  watch?: HandoverWatch | undefined;
  /**
   * Why the orchestrator is known to be gone (`probeUpstream`: its session's event stream broke and
   * it refuses connections, or the session is no more): a short silence then suffices to move.
   */
  gone?: string | undefined;
};

export function sfuOf(options: StreamSessionOptions): SfuAdapter {
  return options.sfu ?? weriftSfu;
}

/** A leg's options for a stream: its video codec, or no video at all for an audio-only stream. */
export function legOptions(options: StreamSessionOptions & { codec?: VideoCodecChoice }) {
  return {
    zeroPlayoutDelay: options.zeroPlayoutDelay ?? true,
    ...(options.codec ? { codec: options.codec } : { video: false }),
  };
}

/**
 * Opens a leg to an orchestrator and a session on it, trying the next one when an orchestrator is
 * unreachable or busy. The caller's own mistakes (an unknown pipeline, bad params) fail at once,
 * before anything is paid. An orchestrator with no free session is no failure of its own: the
 * next is tried, and when none is left the stream is refused with 503 `capacity_exhausted`.
 */
export async function connectUpstream(
  options: StreamSessionOptions & { codec?: VideoCodecChoice; audioCodec?: AudioCodecChoice },
  params: Record<string, unknown>,
  exclude: Set<string>,
  /** The publisher's leg, for an SFU that forwards natively (the new leg sends its video). */
  source?: SfuLeg,
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
      const media = await options.checkParams?.(client, params, options.codec ? 'video' : 'audio');
      // The pipeline processes audio: the leg carries the publisher's Opus there and back.
      const audio = media?.includes('audio') ? options.audioCodec : undefined;
      const offered = await sfuOf(options).offer({
        ...legOptions(options),
        ...(source ? { source } : {}),
        ...(audio ? { audioCodec: audio } : {}),
      });
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
              paramsRetired: created.paramsRetired,
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
        clock: new ExchangeClock(),
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

/**
 * Re-offers `upstream`'s session to its orchestrator, which announced a hand-over to another of
 * its workers: a new leg, the same session (its token, params and credit), client and payer.
 */
export async function reofferUpstream(
  options: StreamSessionOptions & { codec?: VideoCodecChoice; audioCodec?: AudioCodecChoice },
  upstream: Upstream,
  /** The publisher's leg, for an SFU that forwards natively (the new leg sends its video). */
  source?: SfuLeg,
): Promise<Upstream> {
  // The same session: its leg carries audio again when the one it replaces did.
  const audio = upstream.leg.hasAudio ? options.audioCodec : undefined;
  const { leg, offerSdp } = await sfuOf(options).offer({
    ...legOptions(options),
    ...(audio ? { audioCodec: audio } : {}),
    ...(source ? { source } : {}),
  });
  try {
    const sdp = setVideoBitrateHints(offerSdp, options.bitrate);
    await leg.accept(await upstream.client.reofferSession(upstream.sessionId, sdp));
  } catch (error) {
    await leg.close();
    throw error;
  }
  return {
    ...upstream,
    leg,
    createdAt: performance.now(),
    lastPacketAt: undefined,
    framesAfter: 0,
    watch: undefined,
    gone: undefined,
  };
}

export async function closeUpstream(upstream: Upstream): Promise<void> {
  upstream.watch?.stop();
  upstream.payer?.stop();
  await upstream.leg.close();
  await upstream.client.deleteSession(upstream.sessionId).catch(() => {});
}
