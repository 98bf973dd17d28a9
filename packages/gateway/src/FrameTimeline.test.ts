import { describe, expect, it } from 'vitest';
import { SenderClock } from './clocks/SenderClock.ts';
import { FrameTimeline } from './FrameTimeline.ts';

/** 90 kHz ticks for ms. */
const ticks = (ms: number) => ms * 90;
/** An NTP-epoch ms value far from the gateway's clock: senders' clocks need not agree with ours. */
const senderEpochMs = 1_000_000;

describe('SenderClock', () => {
  it('places RTP timestamps on the gateway clock from sender reports and the round trip', () => {
    const clock = new SenderClock();
    expect(clock.captureMs(1234)).toBeUndefined();
    // Report stamped at sender time 1 000 000 ms with RTP 5000; it arrived at gateway 50 010 ms
    // with a 20 ms round trip: sent at 50 000 on our clock.
    clock.report({ ntpMs: senderEpochMs, rtpTimestamp: 5000 }, 50_010, 20);
    expect(clock.captureMs(5000 + ticks(33))).toBeCloseTo(50_033);
    // A later report delayed by 8 ms more changes nothing: the least delayed one sets the offset.
    clock.report({ ntpMs: senderEpochMs + 1000, rtpTimestamp: 5000 + ticks(1000) }, 51_018, 20);
    expect(clock.captureMs(5000 + ticks(1033))).toBeCloseTo(51_033);
  });

  it('is confirmed for lip sync once two reports map RTP to NTP alike, not on a stray first one', () => {
    const clock = new SenderClock(48_000);
    // GStreamer's first report, made while it queued media before connecting: 1.2 s off.
    clock.report({ ntpMs: senderEpochMs, rtpTimestamp: 48_000 }, 10_000);
    expect(clock.confirmed).toBe(false);
    clock.report({ ntpMs: senderEpochMs + 3_000, rtpTimestamp: 48_000 * 5.2 }, 13_000);
    expect(clock.confirmed).toBe(false);
    clock.report({ ntpMs: senderEpochMs + 5_000, rtpTimestamp: 48_000 * 7.2 + 48 }, 15_000);
    expect(clock.confirmed).toBe(true);
    expect(clock.senderMs(48_000 * 7.2 + 48 + 480)).toBeCloseTo(senderEpochMs + 5_010);
    clock.reset();
    expect(clock.confirmed).toBe(false);
  });

  it('follows RTP timestamps across the 32-bit wrap', () => {
    const clock = new SenderClock();
    clock.report({ ntpMs: senderEpochMs, rtpTimestamp: 0xffff_ff00 }, 10_000);
    expect(clock.captureMs((0xffff_ff00 + ticks(10)) >>> 0)).toBeCloseTo(10_010);
    expect(clock.captureMs(0xffff_ff00 - ticks(10))).toBeCloseTo(9_990);
  });
});

describe('FrameTimeline', () => {
  /** A stream where both senders' clocks run 1 000 000 ms off ours and the orchestrator's 250 ms. */
  function stream() {
    const timeline = new FrameTimeline();
    timeline.publisherClock.report({ ntpMs: senderEpochMs, rtpTimestamp: 0 }, 0);
    timeline.orchestratorClock.report({ ntpMs: 2 * senderEpochMs, rtpTimestamp: 90 }, 0);
    return timeline;
  }

  it('joins each frame across publisher, orchestrator record and processed frame into hops', () => {
    const timeline = stream();
    const orchestratorOffsetMs = 250;
    const records = [];
    for (let n = 0; n < 10; n++) {
      const captureMs = 100 + n * 33;
      timeline.publisherFrame(ticks(captureMs), captureMs + 12);
      const decodedMs = captureMs + 12 + 3;
      const doneMs = decodedMs + 1 + 6;
      records.push({
        seq: n + 1,
        decodedAtMs: decodedMs + orchestratorOffsetMs,
        startedAtMs: decodedMs + 1 + orchestratorOffsetMs,
        doneAtMs: doneMs + orchestratorOffsetMs,
      });
      // The processed frame's RTP timestamp is its capture on the orchestrator: `doneMs`.
      const returned = 90 + ticks(doneMs);
      timeline.returnedPacket(returned, false, doneMs + 9, {
        flags: 1,
        encodeStartMs: 1,
        encodeFinishMs: 5,
        packetizationFinishMs: 5,
        pacerExitMs: 6,
        networkMs: 0,
        network2Ms: 0,
      });
      timeline.returnedPacket(returned, true, doneMs + 10);
    }
    timeline.orchestratorRecords(records, orchestratorOffsetMs);
    expect(timeline.take()).toEqual({
      publisherToGateway: 12,
      gatewayToOrchestrator: 3,
      orchestratorQueue: 1,
      pipeline: 6,
      orchestratorToGateway: 10,
      orchestratorEncode: 4,
      gatewayToPublisher: undefined,
      captureToGatewayEgress: 32,
      frames: 10,
    });
    // Taken: the next second starts empty.
    expect(timeline.take().frames).toBe(0);
  });

  it('matches processed frames by capture time, not arrival order, when the encoder skips one', () => {
    const timeline = stream();
    const record = (seq: number, doneMs: number) => ({
      seq,
      decodedAtMs: doneMs - 5,
      startedAtMs: doneMs - 4,
      doneAtMs: doneMs,
    });
    timeline.publisherFrame(ticks(0), 10);
    timeline.publisherFrame(ticks(33), 43);
    // Frame 1 (done at 20) never comes back; frame 2 (done at 53) arrives at 70.
    timeline.returnedPacket(90 + ticks(53), true, 70);
    timeline.orchestratorRecords([record(1, 20), record(2, 53)], 0);
    const hops = timeline.take();
    expect(hops.frames).toBe(1);
    expect(hops.orchestratorToGateway).toBe(17);
  });

  it('times a frame from the first arrival of its last packet, not a retransmission of it', () => {
    const timeline = stream();
    const record = {
      seq: 1,
      decodedAtMs: 15,
      startedAtMs: 16,
      doneAtMs: 20,
      sourceRtpTimestamp: 0,
    };
    expect(timeline.publisherFrame(ticks(0), 10)).toBe(true);
    timeline.returnedPacket(90 + ticks(20), true, 26);
    // The publisher sends the frame's last packet again (a NACK it answered) after its processed
    // frame left, and that frame's last packet comes back twice too.
    expect(timeline.publisherFrame(ticks(0), 40)).toBe(false);
    timeline.returnedPacket(90 + ticks(20), true, 45);
    timeline.orchestratorRecords([record], 0);
    const hops = timeline.take();
    expect(hops.frames).toBe(1);
    expect(hops.publisherToGateway).toBe(10);
    expect(hops.captureToGatewayEgress).toBe(26);
    expect(hops.orchestratorToGateway).toBe(6);
  });

  it('never joins a record to a processed frame that came back before its source arrived', () => {
    const timeline = stream();
    timeline.publisherFrame(ticks(0), 10);
    timeline.publisherFrame(ticks(33), 43);
    // Frame 1's result (captured at 20) arrives at 26 and its record is lost; frame 2's record
    // comes with its done time 23 ms early (a clock estimate off under load): nearest to frame 1's.
    timeline.returnedPacket(90 + ticks(20), true, 26);
    timeline.orchestratorRecords(
      [{ seq: 2, decodedAtMs: 25, startedAtMs: 26, doneAtMs: 30, sourceRtpTimestamp: ticks(33) }],
      0,
    );
    expect(timeline.take().frames).toBe(0);
  });

  it('keeps a record until its processed frame arrives, and forgets it after a switch', () => {
    const timeline = stream();
    timeline.publisherFrame(ticks(0), 10);
    const record = { seq: 1, decodedAtMs: 12, startedAtMs: 12, doneAtMs: 20 };
    timeline.orchestratorRecords([record], 0, 21);
    expect(timeline.take().frames).toBe(0);
    timeline.returnedPacket(90 + ticks(20), true, 30);
    timeline.orchestratorRecords([], 0, 1000);
    expect(timeline.take().frames).toBe(1);

    // Given up after half a second without its frame.
    timeline.orchestratorRecords([{ ...record, seq: 2, doneAtMs: 53 }], 0, 600);
    timeline.returnedPacket(90 + ticks(53), true, 63);
    timeline.orchestratorRecords([], 0, 601);
    expect(timeline.take().frames).toBe(0);

    timeline.orchestratorRecords([{ ...record, seq: 3, doneAtMs: 86 }], 0, 87);
    timeline.switchOrchestrator();
    timeline.returnedPacket(90 + ticks(86), true, 96);
    timeline.orchestratorRecords([], 0, 97);
    expect(timeline.take().frames).toBe(0);
  });

  /** `stream()` with a second publisher report that agrees: its clock confirmed for lip sync. */
  function confirmedStream() {
    const timeline = stream();
    timeline.publisherClock.report(
      { ntpMs: senderEpochMs + 1000, rtpTimestamp: ticks(1000) },
      1000,
    );
    return timeline;
  }

  /**
   * Native forwarding (mediasoup): the publisher's clock confirmed, and 20 frames captured 33 ms
   * apart, decoded 15 ms and done 22 ms (plus `extraMs(n)`) after capture, whose processed frames
   * leave 10 ms after they were done; only those cross JavaScript. Their records are not given yet.
   */
  function nativeStream(extraMs: (n: number) => number = () => 0) {
    const timeline = confirmedStream();
    const records = [];
    for (let n = 0; n < 20; n++) {
      const captureMs = 100 + n * 33;
      const doneMs = captureMs + 22 + extraMs(n);
      records.push({
        seq: n + 1,
        decodedAtMs: captureMs + 15,
        startedAtMs: captureMs + 16,
        doneAtMs: doneMs,
        sourceRtpTimestamp: ticks(captureMs),
      });
      timeline.returnedPacket(90 + ticks(doneMs), true, doneMs + 10);
    }
    return { timeline, records };
  }

  it('leaves frames a publisher flushed from a backlog out of the video delay', () => {
    const timeline = confirmedStream();
    const records = [];
    for (let n = 0; n < 32; n++) {
      const captureMs = 100 + n * 33;
      // The first 16 were queued before the publisher connected and come in one burst at 700 ms
      // (up to 595 ms late); the rest 12 ms after capture. Each is back 18 ms after it arrived.
      const arrivedMs = n < 16 ? 700 + n : captureMs + 12;
      timeline.publisherFrame(ticks(captureMs), arrivedMs);
      records.push({
        seq: n + 1,
        decodedAtMs: arrivedMs + 3,
        startedAtMs: arrivedMs + 4,
        doneAtMs: arrivedMs + 8,
        sourceRtpTimestamp: ticks(captureMs),
      });
      timeline.returnedPacket(90 + ticks(arrivedMs + 8), true, arrivedMs + 18);
    }
    timeline.orchestratorRecords(records, 0, 2000);
    // The frames that came on time: 30 ms from capture to leaving (not the backlog's 300-odd).
    expect(timeline.videoDelay()).toMatchObject({ captureToEgressMs: 30, transitMs: 18 });
  });

  it('places frames it never saw arrive (native forwarding) by the source timestamps their records name', () => {
    const { timeline, records } = nativeStream();
    timeline.orchestratorRecords(records, 0, 2000);
    expect(timeline.videoDelay()).toEqual({
      // From decode: the hop to the orchestrator is not seen.
      transitMs: 17,
      captureToEgressMs: 32,
      senderToEgressMs: 32 - senderEpochMs,
    });
    const hops = timeline.take();
    expect(hops.frames).toBe(20);
    expect(hops.captureToGatewayEgress).toBe(32);
    expect(hops.publisherToGateway).toBeUndefined();
    expect(hops.gatewayToOrchestrator).toBeUndefined();
  });

  it('times each processed frame as it leaves under native forwarding too (--audio-follow-frames)', () => {
    // One frame in four waits 30 ms more in the pipeline: the least times are what count.
    const { timeline, records } = nativeStream((n) => (n % 4 === 0 ? 30 : 0));
    // Not before half a second of frames is joined (none crossed JavaScript on the way in).
    expect(timeline.frameLag()).toBeUndefined();
    const lags: number[] = [];
    timeline.onFrameLag((lag) => lags.push(lag.transitMs));
    timeline.orchestratorRecords(records, 0, 2000);
    // A frame done at 900 ms leaves 40 ms later: its source was captured 22 ms before it was done
    // (the least capture-to-encoder time joined), decoded 7 ms before.
    timeline.returnedPacket(90 + ticks(900), true, 940);
    expect(timeline.frameLag()).toEqual({
      transitMs: 47,
      senderToEgressMs: 62 - senderEpochMs,
      egressMs: 940,
      sourceSenderMs: senderEpochMs + 878,
    });
    expect(lags).toEqual([47]);
  });
});
