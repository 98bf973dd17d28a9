import type { RTCRtpSender } from 'werift';

type SentInfo = { wideSeq: number };
type Estimator = { sentInfos: Record<number, SentInfo>; rtpPacketSent: (info: SentInfo) => void };

/**
 * werift records each sent RTP packet for its sender-side bandwidth estimate with
 * `rtpPacketSent`, which first sorts and filters the keys of the record it was given (its fields'
 * names, never a sequence number, so it deletes nothing) and then stores it by transport-wide
 * sequence number: only the store has an effect. This makes `sender`'s estimator just store, the
 * same `sentInfos` for a fraction of the cost per packet. Returns whether it did; a werift
 * without this estimator is left as it is.
 */
export function skipSentInfoSweep(sender: RTCRtpSender): boolean {
  const estimator = (sender as unknown as { senderBWE?: Partial<Estimator> }).senderBWE;
  if (typeof estimator?.rtpPacketSent !== 'function' || typeof estimator.sentInfos !== 'object') {
    return false;
  }
  const bwe = estimator as Estimator;
  bwe.rtpPacketSent = (info) => {
    bwe.sentInfos[info.wideSeq] = info;
  };
  return true;
}
