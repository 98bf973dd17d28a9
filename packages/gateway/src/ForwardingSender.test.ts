import { describe, expect, it } from 'vitest';
import { RtpPacket, type SrtpSession } from 'werift';
import { absSendTime, ForwardingSender, type RtpOutput } from './ForwardingSender.ts';
import type { SrtpProtector } from './SrtpProtector.ts';
import { srtpPair } from './testing/srtpPair.ts';

/** An output that protects with a real SRTP protector and keeps the datagrams it writes. */
class RecordingOutput implements RtpOutput {
  readonly written: Buffer[] = [];
  transportSeq = 0;
  readonly #protector: SrtpProtector;
  constructor(protector: SrtpProtector) {
    this.#protector = protector;
  }
  protect(header: Buffer, payload: Buffer, roc: number): Buffer[] {
    return [header, ...this.#protector.protect(header, payload, roc)];
  }
  write(datagram: Buffer[]): void {
    this.written.push(Buffer.concat(datagram));
  }
  nextTransportSequenceNumber(): number {
    return ++this.transportSeq;
  }
}

function setup(cachePackets?: number): {
  sender: ForwardingSender;
  output: RecordingOutput;
  receiver: SrtpSession;
} {
  const { protector, receiver } = srtpPair('AEAD_AES_128_GCM');
  const output = new RecordingOutput(protector);
  const sender = new ForwardingSender(output, {
    ssrc: 0xdead_beef,
    ...(cachePackets ? { cachePackets } : {}),
  });
  sender.payloadType = 100;
  return { sender, output, receiver };
}

const source = (sequenceNumber: number, timestamp = 3000 * sequenceNumber, marker = false) => ({
  sequenceNumber,
  timestamp,
  marker,
  csrc: [] as number[],
});

describe('ForwardingSender', () => {
  it("writes the leg's SSRC and payload type, the given sequence number, timestamp and marker, and the payload", () => {
    const { sender, output, receiver } = setup();
    const payload = Buffer.from('a VP8 payload');
    expect(sender.send(source(4321, 0xffff_fff0, true), payload)).toBe(true);
    const packet = RtpPacket.deSerialize(receiver.decrypt(output.written[0] as Buffer));
    expect(packet.header).toMatchObject({
      ssrc: 0xdead_beef,
      payloadType: 100,
      sequenceNumber: 4321,
      timestamp: 0xffff_fff0,
      marker: true,
      padding: false,
      extension: false,
    });
    expect(packet.payload.equals(payload)).toBe(true);
    expect(sender).toMatchObject({
      packetsSent: 1,
      octetsSent: payload.length,
      lastTimestamp: 0xffff_fff0,
    });
  });

  it('writes the negotiated header extensions in id order, video timing only when given', () => {
    const { sender, output, receiver } = setup();
    sender.setExtensions({
      videoTimingId: 7,
      playoutDelay: { id: 6, value: Buffer.alloc(3) },
      mid: { id: 1, value: Buffer.from('0') },
      absSendTimeId: 3,
      transportCcId: 5,
    });
    const timing = {
      flags: 1,
      encodeStartMs: 2,
      encodeFinishMs: 3,
      packetizationFinishMs: 4,
      pacerExitMs: 5,
      networkMs: 6,
      network2Ms: 7,
    };
    const before = absSendTime(Date.now());
    sender.send(source(1), Buffer.from([1, 2, 3]), timing);
    sender.send(source(2), Buffer.from([4, 5, 6]));
    const [first, second] = output.written.map((d) => RtpPacket.deSerialize(receiver.decrypt(d)));
    expect(first?.header.extensionProfile).toBe(0xbede);
    expect(first?.header.extensions.map((e) => e.id)).toEqual([1, 3, 5, 6, 7]);
    const byId = new Map(first?.header.extensions.map((e) => [e.id, e.payload]));
    expect(byId.get(1)?.toString()).toBe('0');
    expect(byId.get(5)?.readUInt16BE(0)).toBe(1);
    expect(byId.get(6)).toEqual(Buffer.alloc(3));
    expect(byId.get(7)).toEqual(Buffer.from([1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7]));
    // abs-send-time: 6.18 fixed point seconds, within a second of now (mod 64 s).
    const sent = byId.get(3)?.readUIntBE(0, 3) ?? 0;
    expect((sent - before) & 0xffffff).toBeLessThan(262_144);
    expect(second?.header.extensions.map((e) => e.id)).toEqual([1, 3, 5, 6]);
    expect(second?.payload).toEqual(Buffer.from([4, 5, 6]));
  });

  it('uses two-byte extension headers for an id over 14', () => {
    const { sender, output, receiver } = setup();
    sender.setExtensions({ playoutDelay: { id: 20, value: Buffer.from([1, 2, 3]) } });
    sender.send(source(9), Buffer.from([9]));
    const packet = RtpPacket.deSerialize(receiver.decrypt(output.written[0] as Buffer));
    expect(packet.header.extensionProfile).toBe(0x1000);
    expect(packet.header.extensions).toEqual([{ id: 20, payload: Buffer.from([1, 2, 3]) }]);
    expect(packet.payload).toEqual(Buffer.from([9]));
  });

  it('keeps the SRTP rollover counter across a sequence number wrap, a late packet included', () => {
    const { sender, output, receiver } = setup();
    // A receiver with the wrong ROC fails GCM authentication: every packet decrypting proves it.
    for (const seq of [65_533, 65_534, 0, 65_535, 1, 2]) {
      sender.send(source(seq), Buffer.from([seq & 0xff]));
    }
    const seqs = output.written.map(
      (d) => RtpPacket.deSerialize(receiver.decrypt(d)).header.sequenceNumber,
    );
    expect(seqs).toEqual([65_533, 65_534, 0, 65_535, 1, 2]);
  });

  it('answers a NACK with the very datagram sent while it is cached, and says when it is not', () => {
    const { sender, output } = setup(4);
    for (let seq = 10; seq < 16; seq++) sender.send(source(seq), Buffer.from([seq]));
    expect(sender.retransmit(14)).toBe(true);
    expect(output.written.at(-1)).toEqual(output.written[4]);
    expect(sender.retransmit(12)).toBe(true);
    // Cache of 4: 10 and 11 were overwritten by 14 and 15; 20 was never sent.
    expect(sender.has(11)).toBe(false);
    expect(sender.retransmit(11)).toBe(false);
    expect(sender.retransmit(20)).toBe(false);
    expect(sender).toMatchObject({
      packetsSent: 6,
      retransmittedPackets: 2,
      retransmittedBytes: 2,
    });
    expect(output.written).toHaveLength(8);
  });

  it('sends nothing while its output cannot protect', () => {
    const output: RtpOutput = {
      protect: () => undefined,
      write: () => {
        throw new Error('nothing to write');
      },
      nextTransportSequenceNumber: () => 0,
    };
    const sender = new ForwardingSender(output, { ssrc: 1 });
    expect(sender.send(source(1), Buffer.from([1]))).toBe(false);
    expect(sender.packetsSent).toBe(0);
    expect(sender.has(1)).toBe(false);
  });

  it('refuses a cache size that is not a power of two', () => {
    expect(
      () =>
        new ForwardingSender(new RecordingOutput(srtpPair('AEAD_AES_128_GCM').protector), {
          ssrc: 1,
          cachePackets: 100,
        }),
    ).toThrow(/power of two/);
  });
});
