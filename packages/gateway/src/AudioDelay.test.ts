import { epochNowMs } from '@peerframe/core/frameTiming';
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { AudioDelay } from './AudioDelay.ts';

const packet = (timestamp: number, sequenceNumber = 0) =>
  new RtpPacket(new RtpHeader({ timestamp, sequenceNumber, payloadType: 111 }), Buffer.alloc(10));

/**
 * Pushes 20 ms packets (960 ticks), the i-th arriving at `base + i·20` and asked to leave
 * `delayOf(i)` ms later. `base` is a minute ago, so each is sent as soon as it is pushed.
 */
function run(count: number, delayOf: (i: number) => number, firstTimestamp = 4_294_960_000) {
  const sent: { timestamp: number; senderTimeMs: number }[] = [];
  const delay = new AudioDelay((p, senderTimeMs) =>
    sent.push({ timestamp: p.header.timestamp, senderTimeMs }),
  );
  const base = epochNowMs() - 60_000;
  for (let i = 0; i < count; i++) {
    const arrivedAtMs = base + i * 20;
    delay.push(packet((firstTimestamp + i * 960) >>> 0), arrivedAtMs + delayOf(i), arrivedAtMs);
  }
  delay.close();
  return { sent, delay, base };
}

describe('AudioDelay', () => {
  it('keeps timestamps continuous (across the 2³² wrap) while the delay jitters within tolerance', () => {
    const { sent, delay } = run(50, (i) => (i % 3) * 3);
    expect(delay.realignments).toBe(0);
    expect(delay.packetsDropped).toBe(0);
    for (let i = 1; i < sent.length; i++) {
      expect(((sent[i]?.timestamp ?? 0) - (sent[i - 1]?.timestamp ?? 0)) | 0).toBe(960);
    }
  });

  it('maps every sent timestamp to its send time on one linear clock', () => {
    const { sent } = run(60, (i) => (i < 20 ? 0 : i < 40 ? 100 : 30));
    const first = sent[0];
    if (!first) throw new Error('nothing sent');
    for (const s of sent) {
      const expectedMs = first.senderTimeMs + ((s.timestamp - first.timestamp) | 0) / 48;
      expect(s.senderTimeMs).toBeCloseTo(expectedMs, 6);
    }
  });

  it('jumps the timestamps forward when the delay grows, dropping nothing', () => {
    const { sent, delay, base } = run(40, (i) => (i < 20 ? 0 : 100));
    expect(delay.realignments).toBe(1);
    expect(delay.packetsDropped).toBe(0);
    expect(((sent[20]?.timestamp ?? 0) - (sent[19]?.timestamp ?? 0)) | 0).toBe(960 + 100 * 48);
    expect(sent[20]?.senderTimeMs).toBeCloseTo(base + 20 * 20 + 100, 6);
  });

  it('keeps the map when the time asked for is already past (no lag to shrink)', () => {
    const { delay } = run(40, (i) => (i < 20 ? 5 : -60));
    expect(delay.packetsDropped).toBe(0);
    expect(delay.realignments).toBe(0);
  });

  it('drops packets when the delay shrinks, never sending a timestamp twice or backwards', () => {
    const { sent, delay, base } = run(40, (i) => (i < 20 ? 100 : 0));
    // 100 ms less delay: the packets of those 100 ms (5 × 20 ms) overlap what was sent.
    expect(delay.packetsDropped).toBe(5);
    expect(delay.realignments).toBe(1);
    for (let i = 1; i < sent.length; i++) {
      expect(
        ((sent[i]?.timestamp ?? 0) - (sent[i - 1]?.timestamp ?? 0)) | 0,
      ).toBeGreaterThanOrEqual(960);
    }
    expect(sent.at(-1)?.senderTimeMs).toBeCloseTo(base + 39 * 20, 6);
  });

  it('numbers its packets on from the last sent when the source numbers its own way', () => {
    // The publisher's own audio (sequence numbers from 65 530, across the wrap), then an
    // orchestrator's processed audio numbered from 1 000, after a 100 ms gap in timestamps.
    const sent: number[] = [];
    const delay = new AudioDelay((p) => sent.push(p.header.sequenceNumber));
    const base = epochNowMs() - 60_000;
    for (let i = 0; i < 20; i++) {
      const arrivedAtMs = base + i * 20 + (i < 10 ? 0 : 100);
      const timestamp = i * 960 + (i < 10 ? 0 : 4_800);
      const sequenceNumber = i < 10 ? (65_530 + i) & 0xffff : 1_000 + i;
      delay.push(packet(timestamp, sequenceNumber), arrivedAtMs, arrivedAtMs);
    }
    delay.close();
    // One more per packet, across the wrap and the change of source; the 100 ms without packets
    // is a jump in timestamps only (a gap in numbers would hold a jitter buffer waiting for them).
    expect(sent).toEqual(Array.from({ length: 20 }, (_, i) => (65_530 + i) & 0xffff));
  });
});
