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
 * Opens the orchestrator leg (so an unknown pipeline or no free orchestrator fails the request
 * before the publisher is answered), then answers the publisher's offer, its bitrate hints setting
 * the publisher's encoder. On an SFU that forwards natively (mediasoup) the publisher's leg
 * receives first instead, so the orchestrator's offer names the SSRC that carries its video.
 */
export async function answerPublisher(
  offerSdp: string,
  options: AnswerPublisherOptions,
): Promise<AnsweredPublisher> {
  const sfu = sfuOf(options);
  if (sfu.receive && options.codec) return answerNatively(offerSdp, sfu, options);
  const upstream = await connectUpstream(options, options.params, new Set());
  try {
    const answered = await sfu.answer(offerSdp, {
      ...legOptions(options),
      ...(options.audioCodec ? { audioCodec: options.audioCodec } : {}),
    });
    const answerSdp = setVideoBitrateHints(answered.answerSdp, options.bitrate);
    return { leg: answered.leg, answerSdp, upstream };
  } catch (error) {
    await closeUpstream(upstream);
    throw error;
  }
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
  const pending = await sfu.receive(offerSdp, legOptions(options));
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
