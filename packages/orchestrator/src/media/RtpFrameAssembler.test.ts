import { describe, expect, it } from 'vitest';
import { RtpFrameAssembler, seqDiff } from './RtpFrameAssembler.ts';
import { Vp8Packetizer } from './Vp8Packetizer.ts';
import { vp8Depacketizer } from './vp8Depacketizer.ts';

type Packet = { seq: number; timestamp: number; marker: boolean; payload: Buffer };

/** VP8 frames of `size` bytes, frame 0 (and every `keyEvery`-th) a keyframe (P bit 0). */
function stream(frames: number, size: number, firstSeq = 100, keyEvery = 1000): Packet[] {
  const packetizer = new Vp8Packetizer();
  const packets: Packet[] = [];
  let seq = firstSeq;
  for (let n = 0; n < frames; n++) {
    const data = Buffer.alloc(size, n & 0xff);
    data[0] = n % keyEvery === 0 ? 0x10 : 0x11;
    const payloads = packetizer.packetize({ data, keyframe: n % keyEvery === 0 }, 300);
    payloads.forEach((payload, i) => {
      packets.push({
        seq: seq & 0xffff,
        timestamp: n * 3000,
        marker: i === payloads.length - 1,
        payload,
      });
      seq++;
    });
  }
  return packets;
}

function feed(assembler: RtpFrameAssembler, packets: Packet[], nowMs = 0) {
  return packets.flatMap((p) => assembler.push(p.seq, p.timestamp, p.marker, p.payload, nowMs));
}

describe('RtpFrameAssembler', () => {
  it('delivers whole frames in order, starting at a keyframe', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer });
    const frames = feed(assembler, stream(5, 1000));
    expect(frames.map((f) => f.rtpTimestamp)).toEqual([0, 3000, 6000, 9000, 12000]);
    expect(frames.map((f) => f.data.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(frames[0]?.keyframe).toBe(true);
    expect(frames[1]?.keyframe).toBe(false);
    expect(assembler.needsKeyframe).toBe(false);
  });

  it('puts reordered packets back and skips padding-only packets', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer });
    const packets = stream(3, 1000);
    // A padding packet (empty payload, the previous frame's timestamp) after frame 0.
    const firstFrameEnd = packets.findIndex((p) => p.marker);
    const withPadding = packets.map((p, i) => (i > firstFrameEnd ? { ...p, seq: p.seq + 1 } : p));
    withPadding.splice(firstFrameEnd + 1, 0, {
      seq: (packets[firstFrameEnd]?.seq ?? 0) + 1,
      timestamp: 0,
      marker: false,
      payload: Buffer.alloc(0),
    });
    const shuffled = [...withPadding];
    [shuffled[2], shuffled[3]] = [shuffled[3] as Packet, shuffled[2] as Packet];
    [shuffled[7], shuffled[5]] = [shuffled[5] as Packet, shuffled[7] as Packet];
    const frames = feed(assembler, shuffled);
    expect(frames.map((f) => f.rtpTimestamp)).toEqual([0, 3000, 6000]);
    expect(assembler.framesMalformed).toBe(0);
    expect(assembler.packetsPadding).toBe(1);
  });

  it('skips padding whose payload reads as garbage (an SFU kept its padding bit, not its bytes)', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer });
    const packets = stream(3, 1000);
    const firstFrameEnd = packets.findIndex((p) => p.marker);
    const garbage = Buffer.from([0x00, 0x00, 0x13, 0x37]);
    const withPadding = packets.map((p, i) => (i > firstFrameEnd ? { ...p, seq: p.seq + 1 } : p));
    withPadding.splice(firstFrameEnd + 1, 0, {
      seq: (packets[firstFrameEnd]?.seq ?? 0) + 1,
      timestamp: 0,
      marker: false,
      payload: garbage,
    });
    expect(feed(assembler, withPadding).map((f) => f.rtpTimestamp)).toEqual([0, 3000, 6000]);
    expect(assembler.framesMalformed).toBe(0);
    expect(assembler.needsKeyframe).toBe(false);
  });

  it('holds frames behind a missing packet until it is retransmitted', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer, maxWaitMs: 200 });
    const packets = stream(4, 1000);
    const lost = packets.splice(5, 1);
    expect(feed(assembler, packets, 0).map((f) => f.rtpTimestamp)).toEqual([0]);
    expect(assembler.poll(150)).toEqual([]);
    // The retransmission completes frame 1 and releases the frames behind it.
    expect(feed(assembler, lost, 160).map((f) => f.rtpTimestamp)).toEqual([3000, 6000, 9000]);
    expect(assembler.packetsLost).toBe(0);
    expect(assembler.needsKeyframe).toBe(false);
  });

  it('waits for a frame’s late last packets without calling it a loss', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer, maxWaitMs: 200 });
    const packets = stream(2, 1000);
    const tail = packets.splice(6);
    expect(feed(assembler, packets, 0).map((f) => f.rtpTimestamp)).toEqual([0]);
    // Half a second with frame 1 half there and nothing missing before its last packet.
    expect(assembler.poll(500)).toEqual([]);
    expect(assembler.needsKeyframe).toBe(false);
    expect(feed(assembler, tail, 510).map((f) => f.rtpTimestamp)).toEqual([3000]);
    expect(assembler.packetsLost).toBe(0);
  });

  it('gives up after maxWaitMs, needs a keyframe and resumes there', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer, maxWaitMs: 200 });
    const packets = stream(8, 1000, 65_530, 4);
    packets.splice(5, 1);
    const before = feed(assembler, packets.slice(0, 12), 0);
    expect(before.map((f) => f.rtpTimestamp)).toEqual([0]);
    expect(assembler.poll(250)).toEqual([]);
    expect(assembler.needsKeyframe).toBe(true);
    expect(assembler.packetsLost).toBe(1);
    // Frame 4 is a keyframe (sequence numbers wrapped on the way): decoding resumes there.
    const after = feed(assembler, packets.slice(12), 260);
    expect(after.map((f) => f.rtpTimestamp)).toEqual([12000, 15000, 18000, 21000]);
    expect(after[0]?.keyframe).toBe(true);
    expect(assembler.needsKeyframe).toBe(false);
    // A late retransmission of the given-up packet is ignored.
    expect(assembler.packetsLate).toBe(0);
  });

  it('waits for a keyframe at the start of a stream', () => {
    const assembler = new RtpFrameAssembler({ depacketizer: vp8Depacketizer });
    const packets = stream(6, 500, 0, 3);
    const frames = feed(assembler, packets.slice(2));
    expect(frames[0]?.rtpTimestamp).toBe(9000);
    expect(frames[0]?.keyframe).toBe(true);
  });

  it('compares sequence numbers across the wrap', () => {
    expect(seqDiff(2, 65_534)).toBe(4);
    expect(seqDiff(65_534, 2)).toBe(-4);
    expect(seqDiff(7, 7)).toBe(0);
  });
});
