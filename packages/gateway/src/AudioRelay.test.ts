import { epochNowMs } from '@peerframe/core/frameTiming';
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { AudioRelay } from './AudioRelay.ts';
import { FrameTimeline } from './FrameTimeline.ts';
import type { SfuLeg } from './SfuAdapter.ts';

const packet = (timestamp: number) =>
  new RtpPacket(new RtpHeader({ timestamp, payloadType: 111 }), Buffer.alloc(10));

describe('AudioRelay', () => {
  it('drops a flushed backlog as stale instead of playing it out late', () => {
    const sent: number[] = [];
    const leg = {
      sendAudio: (p: RtpPacket) => sent.push(p.header.timestamp),
    } as unknown as SfuLeg;
    const relay = new AudioRelay(new FrameTimeline(), () => [leg]);
    // A minute ago, so each packet is due when pushed: 10 ms packets (480 ticks).
    const base = epochNowMs() - 60_000;
    let timestamp = 1_000;
    const push = (arrivedAtMs: number) => {
      relay.push(packet(timestamp), arrivedAtMs);
      timestamp += 480;
    };
    // 300 ms of audio queued by the publisher before it connected, arriving in 3 ms...
    for (let i = 0; i < 30; i++) push(base + i * 0.1);
    // ...then 100 packets in real time, jittering by up to 6 ms.
    for (let i = 0; i < 100; i++) push(base + 10 + i * 10 + (i % 3) * 3);
    relay.close();
    const stats = relay.stats();
    expect(stats.packetsStale).toBe(29);
    expect(stats.packetsDropped).toBe(0);
    expect(stats.realignments).toBe(0);
    expect(sent).toHaveLength(101);
    // Outgoing timestamps only go forward.
    for (let i = 1; i < sent.length; i++)
      expect(((sent[i] ?? 0) - (sent[i - 1] ?? 0)) | 0).toBeGreaterThan(0);
  });
});
