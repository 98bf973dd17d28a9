import { epochNowMs } from '@peerframe/core/frameTiming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { defaultAudioDelayOptions } from './AudioDelay.ts';
import { AudioRelay, defaultAudioRelayOptions } from './AudioRelay.ts';
import { FrameTimeline } from './FrameTimeline.ts';
import type { SfuLeg } from './SfuAdapter.ts';

const packet = (timestamp: number) =>
  new RtpPacket(new RtpHeader({ timestamp, payloadType: 111 }), Buffer.alloc(10));

describe('AudioRelay', () => {
  /**
   * A relay with no video timed (the lag 0), the timestamps it sent, and `push`: a 10 ms packet
   * (480 ticks) after the last, arriving at `base` + the ms given — a minute ago, so each packet
   * is due when pushed.
   */
  const relayAMinuteAgo = () => {
    const sent: number[] = [];
    const leg = {
      sendAudio: (p: RtpPacket) => sent.push(p.header.timestamp),
    } as unknown as SfuLeg;
    const relay = new AudioRelay(new FrameTimeline(), () => [leg]);
    const base = epochNowMs() - 60_000;
    let timestamp = 1_000;
    const push = (arrivedAfterMs: number) => {
      relay.push(packet(timestamp), base + arrivedAfterMs);
      timestamp += 480;
    };
    return { relay, sent, push };
  };

  it('drops a flushed backlog as stale instead of playing it out late', () => {
    const { relay, sent, push } = relayAMinuteAgo();
    // 300 ms of audio queued by the publisher before it connected, arriving in 3 ms...
    for (let i = 0; i < 30; i++) push(i * 0.1);
    // ...then 100 packets in real time, jittering by up to 6 ms.
    for (let i = 0; i < 100; i++) push(10 + i * 10 + (i % 3) * 3);
    relay.close();
    const stats = relay.stats();
    expect(stats.packetsStale).toBe(29);
    expect(stats.packetsDropped).toBe(0);
    expect(stats.realignments).toBe(0);
    // The packets kept came in time (their jitter within the delay line's tolerance).
    expect(stats.packetsLate).toBe(0);
    expect(sent).toHaveLength(101);
    // Outgoing timestamps only go forward.
    for (let i = 1; i < sent.length; i++)
      expect(((sent[i] ?? 0) - (sent[i - 1] ?? 0)) | 0).toBeGreaterThan(0);
  });

  it('counts the packets the publisher sent late: they leave at once, the sound as late', () => {
    const { relay, sent, push } = relayAMinuteAgo();
    // 10 ms packets in real time, then the publisher stalls: 10 packets come together 120 ms
    // after the first of them was due (the last 30 ms after), then real time again.
    for (let i = 0; i < 50; i++) push(i * 10);
    for (let i = 50; i < 60; i++) push(50 * 10 + 120);
    for (let i = 60; i < 100; i++) push(i * 10);
    relay.close();
    const stats = relay.stats();
    // Late by 120, 110, … 30 ms: none is stale (the arrival clock follows the earliest packets),
    // none is dropped, all ten leave late.
    expect(stats.packetsLate).toBe(10);
    expect(stats.lateMsMax).toBe(120);
    expect(stats.packetsStale).toBe(0);
    expect(sent).toHaveLength(100);
  });
});

/**
 * Frames of a 720p VP8 stream through the gateway and a passthrough orchestrator on a loaded
 * 2-core machine (load average 3.3), as the gateway's frame timeline joined them: capture (ms from
 * the first), then arrival from the publisher, the orchestrator's hand-over to its encoder, and
 * the processed frame's departure, each in ms after capture. The orchestrator dropped the frames
 * missing; the video's lag (last column) jumps by up to 140 ms from one frame to the next.
 */
const loaded720pFrames = [
  [1533, 30, 42, 220],
  [1700, 12, 41, 93],
  [1867, 26, 53, 126],
  [1900, 51, 53, 251],
  [1967, 18, 25, 193],
  [2000, 21, 25, 176],
  [2100, 18, 24, 121],
  [2133, 20, 29, 113],
  [2200, 17, 43, 77],
  [2233, 13, 30, 79],
  [2267, 15, 29, 74],
  [2367, 15, 17, 77],
  [2500, 55, 69, 207],
  [2600, 44, 47, 241],
  [2633, 37, 47, 215],
  [2667, 21, 37, 210],
  [2767, 26, 27, 216],
  [2900, 26, 34, 193],
  [2967, 49, 65, 233],
  [3100, 63, 75, 152],
  [3167, 25, 27, 137],
  [3200, 11, 14, 127],
  [3267, 16, 34, 89],
  [3300, 10, 16, 60],
  [3333, 15, 18, 61],
  [3667, 15, 24, 64],
  [3767, 7, 33, 55],
  [3800, 6, 15, 51],
  [3833, 5, 12, 54],
  [3867, 4, 16, 54],
  [3900, 6, 15, 70],
  [4167, 5, 45, 132],
  [4200, 24, 45, 176],
  [4233, 23, 28, 154],
  [4267, 7, 29, 128],
  [4300, 12, 31, 123],
  [4333, 17, 19, 96],
  [4367, 8, 15, 73],
  [4400, 7, 17, 59],
  [4467, 6, 27, 63],
  [4500, 12, 16, 56],
  [4533, 12, 14, 58],
  [4567, 11, 13, 56],
] as const;

describe('AudioRelay following the video', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends each packet when the video captured with it leaves, as the lag jumps from frame to frame', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const startMs = epochNowMs();
    /** The publisher's clock (its reports' NTP) runs this far from the gateway's. */
    const publisherAheadMs = 1_000_000;
    const timeline = new FrameTimeline();
    const sent = new Map<number, number>();
    const sequenceNumbers: number[] = [];
    const leg = {
      sendAudio: (p: RtpPacket) => {
        sent.set(p.payload.readUInt32BE(0), epochNowMs());
        sequenceNumbers.push(p.header.sequenceNumber);
      },
    } as unknown as SfuLeg;
    const relay = new AudioRelay(timeline, () => [leg], { followFrames: true });
    const events: { atMs: number; run: () => void }[] = [];
    const at = (ms: number, run: () => void) => events.push({ atMs: startMs + ms, run });
    // Sender reports (two agreeing ones confirm a clock), sent at once: capture ms c is RTP c × 90
    // (video) or c × 48 (audio), at publisher time c + publisherAheadMs.
    for (const ms of [0, 1_000]) {
      at(ms, () => {
        const ntpMs = startMs + ms + publisherAheadMs;
        timeline.publisherClock.report({ ntpMs, rtpTimestamp: ms * 90 }, epochNowMs());
        relay.clock.report({ ntpMs, rtpTimestamp: ms * 48 }, epochNowMs());
        // The orchestrator stamps a processed frame with when it handed it to its encoder.
        timeline.orchestratorClock.report(
          { ntpMs: startMs + ms, rtpTimestamp: ms * 90 },
          epochNowMs(),
        );
      });
    }
    // The publisher's frames (30 fps) arrive as recorded; those the orchestrator dropped, like
    // the one before them.
    const recorded = new Map<number, readonly number[]>(loaded720pFrames.map((f) => [f[0], f]));
    let arrivalMs = 10;
    for (let n = 0; n * 100 < 4_600 * 3; n++) {
      const captureMs = Math.round((n * 100) / 3);
      arrivalMs = recorded.get(captureMs)?.[1] ?? arrivalMs;
      at(captureMs + arrivalMs, () => timeline.publisherFrame(captureMs * 90, epochNowMs()));
    }
    // Before the recorded stretch: 40 frames at a steady 100 ms, joined with the orchestrator's
    // records (they come each second), so the frames after it can be timed as they leave.
    const frames = [
      ...Array.from({ length: 40 }, (_, n) => {
        const captureMs = Math.round((n * 100) / 3);
        return [captureMs, 10, 12, 100] as const;
      }),
      ...loaded720pFrames,
    ];
    for (const [captureMs, , doneMs, egressMs] of frames) {
      at(captureMs + egressMs, () =>
        timeline.returnedPacket((captureMs + doneMs) * 90, true, epochNowMs()),
      );
    }
    at(1_000, () =>
      timeline.orchestratorRecords(
        frames.slice(0, 25).map(([captureMs, , doneMs], i) => ({
          seq: i + 1,
          decodedAtMs: startMs + captureMs + doneMs - 2,
          startedAtMs: startMs + captureMs + doneMs - 1,
          doneAtMs: startMs + captureMs + doneMs,
        })),
        0,
      ),
    );
    // 20 ms audio packets, arriving 2 ms after capture; the payload says which.
    for (let i = 0; i * 20 < 4_700; i++) {
      at(i * 20 + 2, () => {
        const payload = Buffer.alloc(4);
        payload.writeUInt32BE(i);
        relay.push(
          new RtpPacket(
            new RtpHeader({ timestamp: i * 960, sequenceNumber: i & 0xffff, payloadType: 111 }),
            payload,
          ),
        );
      });
    }
    events.sort((a, b) => a.atMs - b.atMs);
    for (const event of events) {
      vi.advanceTimersByTime(Math.max(0, event.atMs - epochNowMs()));
      event.run();
    }
    vi.advanceTimersByTime(3_000);
    relay.close();
    // A flash and its click, captured together: the packet captured with each recorded frame
    // leaves when that frame does, within the step the delay follows in and the delay line's
    // tolerance. Where the lag fell by more than a packet since the last frame, the packet may
    // have been dropped (the sound skips ahead to the video); most are sent.
    const offsetsMs = loaded720pFrames.flatMap(([captureMs, , , egressMs]) => {
      const packet = Math.round(captureMs / 20);
      const sentAtMs = sent.get(packet);
      return sentAtMs === undefined ? [] : [sentAtMs - (startMs + packet * 20 + egressMs)];
    });
    expect(offsetsMs.length).toBeGreaterThan((2 / 3) * loaded720pFrames.length);
    const boundMs = defaultAudioRelayOptions.lagStepMs + defaultAudioDelayOptions.toleranceMs;
    for (const offsetMs of offsetsMs) expect(Math.abs(offsetMs)).toBeLessThanOrEqual(boundMs);
    // The sound moved with the video: gaps where the lag grew, dropped packets where it fell.
    const stats = relay.stats();
    expect(stats.realignments).toBeGreaterThan(5);
    expect(stats.packetsOut + stats.packetsDropped).toBe(stats.packetsIn);
    // However often it jumped, the packets sent are numbered one more each: a gap in the numbers
    // holds a receiver's jitter buffer (GStreamer's ~200 ms) for packets that never come.
    expect(sequenceNumbers.length).toBe(stats.packetsOut);
    for (let i = 1; i < sequenceNumbers.length; i++)
      expect(sequenceNumbers[i]).toBe(((sequenceNumbers[i - 1] ?? 0) + 1) & 0xffff);
  });
});
