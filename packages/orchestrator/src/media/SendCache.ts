import type { RtpPacket } from 'werift';

/**
 * The last `capacity` RTP packets sent, by sequence number, for retransmission on NACK. At 720p
 * and 4 Mbit/s (~400 packets a second) the default keeps about 5 s.
 */
export class SendCache {
  readonly #packets: (RtpPacket | undefined)[];
  readonly #mask: number;

  /** `capacity` is rounded up to a power of two (default 2048). */
  constructor(capacity = 2048) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, capacity)));
    this.#packets = new Array(size);
    this.#mask = size - 1;
  }

  add(packet: RtpPacket): void {
    this.#packets[packet.header.sequenceNumber & this.#mask] = packet;
  }

  /** The packet sent with this sequence number, if still held. */
  get(sequenceNumber: number): RtpPacket | undefined {
    const packet = this.#packets[sequenceNumber & this.#mask];
    return packet?.header.sequenceNumber === sequenceNumber ? packet : undefined;
  }
}
