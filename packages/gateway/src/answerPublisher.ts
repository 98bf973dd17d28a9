import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { setVideoBitrateHints } from '@peerframe/core/sdp';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { SfuAdapter, SfuLeg } from './SfuAdapter.ts';
import type { StreamSessionOptions } from './StreamSessionTypes.ts';
import { closeUpstream, connectUpstream, legOptions, sfuOf, type Upstream } from './Upstream.ts';

type AnswerPublisherOptions = StreamSessionOptions & {
  codec?: VideoCodecChoice;
  audioCodec?: AudioCodecChoice;
};

/** A publisher's leg, the answer to its offer, and the orchestrator leg the stream starts with. */
export type AnsweredPublisher = { leg: SfuLeg; answerSdp: string; upstream: Upstream };

/**
 * Opens the orchestrator leg and answers the publisher's offer at the same time (neither waits for
 * the other), the answer's bitrate hints setting the publisher's encoder, and returns only once the
 * orchestrator's session exists: an unknown pipeline or no free orchestrator still fails the request
 * before the publisher is answered, and whichever side fails, what the other made is closed. On an
 * SFU that forwards natively (mediasoup) the publisher's leg receives first instead, so the
 * orchestrator's offer names the SSRC that carries its video.
 */
export async function answerPublisher(
  offerSdp: string,
  options: AnswerPublisherOptions,
): Promise<AnsweredPublisher> {
  const sfu = sfuOf(options);
  if (sfu.receive && options.codec) return answerNatively(offerSdp, sfu, options);
  const [answered, upstream] = await Promise.allSettled([
    sfu.answer(offerSdp, {
      ...legOptions(options),
      ...(options.audioCodec ? { audioCodec: options.audioCodec } : {}),
    }),
    connectUpstream(options, options.params, new Set()),
  ]);
  if (answered.status === 'rejected' || upstream.status === 'rejected') {
    await Promise.all([
      answered.status === 'fulfilled' ? answered.value.leg.close() : undefined,
      upstream.status === 'fulfilled' ? closeUpstream(upstream.value) : undefined,
    ]);
    // The offer's own fault (a 4xx naming it) before anything about orchestrators.
    throw answered.status === 'rejected'
      ? answered.reason
      : (upstream as PromiseRejectedResult).reason;
  }
  const answerSdp = setVideoBitrateHints(answered.value.answerSdp, options.bitrate);
  return { leg: answered.value.leg, answerSdp, upstream: upstream.value };
}

/**
 * The publisher's leg receives (its producer exists), the orchestrator's leg is offered already
 * forwarding it, then the publisher is answered, its leg sending what the orchestrator returns.
 */
async function answerNatively(
  offerSdp: string,
  sfu: SfuAdapter,
  options: AnswerPublisherOptions,
): Promise<AnsweredPublisher> {
  if (!sfu.receive) throw new TypeError('the SFU does not forward natively');
  const pending = await sfu.receive(offerSdp, {
    ...legOptions(options),
    ...(options.audioCodec ? { audioCodec: options.audioCodec } : {}),
  });
  try {
    const upstream = await connectUpstream(options, options.params, new Set(), pending.leg);
    try {
      const answerSdp = setVideoBitrateHints(await pending.answer(upstream.leg), options.bitrate);
      return { leg: pending.leg, answerSdp, upstream };
    } catch (error) {
      await closeUpstream(upstream);
      throw error;
    }
  } catch (error) {
    await pending.leg.close();
    throw error;
  }
}
