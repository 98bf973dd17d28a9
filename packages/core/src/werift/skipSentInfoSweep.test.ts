import { describe, expect, it } from 'vitest';
import { createWeriftPeer } from './createWeriftPeer.ts';
import { skipSentInfoSweep } from './skipSentInfoSweep.ts';

type SentInfo = { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number };
type Estimator = { sentInfos: Record<number, SentInfo>; rtpPacketSent: (info: SentInfo) => void };

describe('skipSentInfoSweep', () => {
  it('leaves a sender’s estimator with the sentInfos werift’s own rtpPacketSent leaves', async () => {
    const pc = createWeriftPeer();
    try {
      const [own, skipping] = [0, 1].map(
        () =>
          (
            pc.addTransceiver('video', { direction: 'sendonly' }).sender as unknown as {
              senderBWE: Estimator;
            }
          ).senderBWE,
      ) as [Estimator, Estimator];
      expect(skipSentInfoSweep(pc.getTransceivers()[1]?.sender as never)).toBe(true);
      // Sequence numbers as werift's transport-wide counter makes them: rising, wrapping, repeating
      // (no transport-cc extension: the counter stays put).
      const seqs = [5, 6, 7, 7, 7, 65_535, 0, 1, 3, 2, 40_000, 6];
      seqs.forEach((wideSeq, i) => {
        for (const estimator of [own, skipping]) {
          estimator.rtpPacketSent({ wideSeq, size: 1000 + i, sendingAtMs: i, sentAtMs: i });
        }
      });
      // If werift ever sweeps old entries for real, these differ and the patch must go.
      expect(skipping.sentInfos).toEqual(own.sentInfos);
      expect(Object.keys(own.sentInfos)).toHaveLength(new Set(seqs).size);
    } finally {
      await pc.close();
    }
  });
});
