import { describe, expect, it } from 'vitest';
import { RtpHeader } from 'werift';
import { RtpContinuity } from './RtpContinuity.ts';

const header = (sequenceNumber: number, timestamp: number) =>
  new RtpHeader({ sequenceNumber, timestamp });

describe('RtpContinuity', () => {
  it('passes a first source through unchanged', () => {
    const continuity = new RtpContinuity();
    const h = header(100, 9_000);
    continuity.rewrite(h);
    expect([h.sequenceNumber, h.timestamp]).toEqual([100, 9_000]);
  });

  it('continues sequence numbers and timestamps (one frame later) after a source switch, across wraps', () => {
    const continuity = new RtpContinuity();
    for (const seq of [65_534, 65_535]) continuity.rewrite(header(seq, 4_294_966_000));
    continuity.switchSource();
    const first = header(7, 123);
    continuity.rewrite(first);
    expect(first.sequenceNumber).toBe(0);
    expect(first.timestamp).toBe((4_294_966_000 + 3_000) >>> 0);
    const next = header(8, 3_123);
    continuity.rewrite(next);
    expect([next.sequenceNumber, next.timestamp]).toEqual([1, (4_294_966_000 + 6_000) >>> 0]);
  });

  it('does not let a late retransmission move the point a switch continues from', () => {
    const continuity = new RtpContinuity();
    for (const seq of [10, 11, 12]) continuity.rewrite(header(seq, seq * 3_000));
    continuity.rewrite(header(5, 15_000)); // an old packet sent again
    continuity.switchSource();
    const h = header(500, 1);
    continuity.rewrite(h);
    expect(h.sequenceNumber).toBe(13);
    expect(h.timestamp).toBe(36_000 + 3_000);
  });
});
