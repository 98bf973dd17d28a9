import type { SfuPacketHeader } from './SfuPacket.ts';
import { serializeVideoTiming, type VideoTiming } from './videoTiming.ts';

/**
 * Where a `ForwardingSender` puts its packets: SRTP protection and the transport under it.
 * `write` is separate so that a wrapper (fault injection's lossy leg) can lose datagrams after
 * the sender cached them for retransmission.
 */
export interface RtpOutput {
  /**
   * The datagram of a packet (its serialized header, its payload, its rollover counter) as it
   * goes on the wire, as a list of buffers; undefined when the output cannot protect yet (no
   * SRTP keys before DTLS is done).
   */
  protect(header: Buffer, payload: Buffer, roc: number): Buffer[] | undefined;
  /** Sends a datagram (from `protect`), now or again; dropped when the transport cannot send. */
  write(datagram: Buffer[]): void;
  /** The next transport-wide sequence number (transport-cc), shared by the transport's senders. */
  nextTransportSequenceNumber(): number;
}

/** Header extensions the sender writes, by the ids the remote negotiated (each optional). */
export type ForwardedExtensions = {
  /** The media section's mid (RFC 9143 `sdes:mid`), with its value. */
  mid?: { id: number; value: Buffer } | undefined;
  /** The playout-delay extension with the value written on every packet. */
  playoutDelay?: { id: number; value: Buffer } | undefined;
  /** Video timing: written on the packets `send` is given a `VideoTiming` for. */
  videoTimingId?: number | undefined;
  /** abs-send-time: the send time, 6.18 fixed point seconds. */
  absSendTimeId?: number | undefined;
  /** transport-wide-cc: the output's next transport-wide sequence number. */
  transportCcId?: number | undefined;
};

export type ForwardingSenderOptions = {
  /** The SSRC every packet goes out with. */
  ssrc: number;
  /** Sent packets kept for retransmission (NACK), a power of two (default 512). */
  cachePackets?: number;
};

export const defaultForwardingSenderOptions = { cachePackets: 512 } as const;

type ExtensionKind = 'mid' | 'playoutDelay' | 'videoTiming' | 'absSendTime' | 'transportCc';

const videoTimingBytes = 13;
const oneByteProfile = 0xbede;
const twoByteProfile = 0x1000;

/**
 * The SFU's send path for forwarded video: each packet's header written once into a buffer of
 * its own (the leg's SSRC and payload type, the caller's sequence number and timestamp, the
 * negotiated header extensions), protected and written by its `RtpOutput` as a list of buffers;
 * the datagrams kept by sequence number so a NACK is answered with the very packet sent. Counts
 * what RTCP sender reports and stats need. Sequence numbers and timestamps are the caller's
 * (continuity across sources is `RtpContinuity`'s job); the sender extends the sequence
 * numbers to SRTP packet indexes itself.
 */
export class ForwardingSender {
  readonly ssrc: number;
  payloadType = 96;
  /** Packets and payload bytes sent (retransmissions not counted), as RTCP sender reports carry. */
  packetsSent = 0;
  octetsSent = 0;
  retransmittedPackets = 0;
  retransmittedBytes = 0;
  /** The RTP timestamp of the last packet sent; undefined before one. */
  lastTimestamp: number | undefined;
  readonly #output: RtpOutput;
  readonly #mask: number;
  readonly #cachedSeq: Int32Array;
  readonly #cached: (Buffer[] | undefined)[];
  readonly #cachedBytes: Uint32Array;
  #extensions: ForwardedExtensions = {};
  /** The extensions in the order of their ids. */
  #order: { id: number; kind: ExtensionKind }[] = [];
  #twoByte = false;
  #highestSeq: number | undefined;
  #roc = 0;

  constructor(output: RtpOutput, options: ForwardingSenderOptions) {
    const size = options.cachePackets ?? defaultForwardingSenderOptions.cachePackets;
    if (!Number.isInteger(Math.log2(size)) || size < 1 || size > 65_536) {
      throw new RangeError(`cachePackets must be a power of two up to 65536, got ${size}`);
    }
    this.#output = output;
    this.ssrc = options.ssrc >>> 0;
    this.#mask = size - 1;
    this.#cachedSeq = new Int32Array(size).fill(-1);
    this.#cached = new Array(size).fill(undefined);
    this.#cachedBytes = new Uint32Array(size);
  }

  /** The header extensions written from now on. */
  setExtensions(extensions: ForwardedExtensions): void {
    const order: { id: number; kind: ExtensionKind }[] = [];
    const add = (id: number | undefined, kind: ExtensionKind) => {
      if (id === undefined) return;
      if (!Number.isInteger(id) || id < 1 || id > 255) {
        throw new RangeError(`header extension id must be 1..255, got ${id}`);
      }
      order.push({ id, kind });
    };
    add(extensions.mid?.id, 'mid');
    add(extensions.playoutDelay?.id, 'playoutDelay');
    add(extensions.videoTimingId, 'videoTiming');
    add(extensions.absSendTimeId, 'absSendTime');
    add(extensions.transportCcId, 'transportCc');
    order.sort((a, b) => a.id - b.id);
    const longest = Math.max(
      extensions.mid?.value.length ?? 0,
      extensions.playoutDelay?.value.length ?? 0,
      videoTimingBytes,
    );
    // RFC 8285: one-byte headers carry ids 1..14 and 1..16 bytes of data.
    this.#twoByte = order.some((e) => e.id > 14) || longest > 16;
    this.#extensions = extensions;
    this.#order = order;
  }

  /**
   * Sends a packet: `header`'s sequence number, timestamp, marker and CSRCs, `payload` (padding
   * stripped), with this sender's SSRC and payload type. Returns whether it went out (false
   * before the output can protect).
   */
  send(
    header: Pick<SfuPacketHeader, 'sequenceNumber' | 'timestamp' | 'marker' | 'csrc'>,
    payload: Buffer,
    videoTiming?: VideoTiming,
  ): boolean {
    const seq = header.sequenceNumber & 0xffff;
    const roc = this.#rocOf(seq);
    const bytes = this.#serializeHeader(header, seq, videoTiming);
    const datagram = this.#output.protect(bytes, payload, roc);
    if (!datagram) return false;
    const slot = seq & this.#mask;
    this.#cachedSeq[slot] = seq;
    this.#cached[slot] = datagram;
    this.#cachedBytes[slot] = payload.length;
    this.packetsSent++;
    this.octetsSent += payload.length;
    this.lastTimestamp = header.timestamp >>> 0;
    this.#output.write(datagram);
    return true;
  }

  /** Whether the packet with this sequence number is still cached (a NACK for it can be answered). */
  has(seq: number): boolean {
    return this.#cachedSeq[seq & this.#mask] === seq;
  }

  /** Sends the cached packet with this sequence number again; false when it is no longer cached. */
  retransmit(seq: number): boolean {
    const slot = seq & this.#mask;
    const datagram = this.#cached[slot];
    if (this.#cachedSeq[slot] !== seq || !datagram) return false;
    this.retransmittedPackets++;
    this.retransmittedBytes += this.#cachedBytes[slot] ?? 0;
    this.#output.write(datagram);
    return true;
  }

  /** Forgets every cached packet (the leg closed). */
  clear(): void {
    this.#cachedSeq.fill(-1);
    this.#cached.fill(undefined);
  }

  /**
   * The rollover counter of `seq` (RFC 3711 §3.3.1, from the sender's side): a sequence number
   * ahead of the highest sent (by less than half the space) moves it on, wrapping the counter;
   * one behind (a late packet) belongs to the current or the previous cycle.
   */
  #rocOf(seq: number): number {
    const highest = this.#highestSeq;
    if (highest === undefined) {
      this.#highestSeq = seq;
      return this.#roc;
    }
    if (((seq - highest) & 0xffff) < 0x8000) {
      if (seq < highest) this.#roc = (this.#roc + 1) >>> 0;
      this.#highestSeq = seq;
      return this.#roc;
    }
    return seq > highest ? (this.#roc - 1) >>> 0 : this.#roc;
  }

  #serializeHeader(
    header: Pick<SfuPacketHeader, 'timestamp' | 'marker' | 'csrc'>,
    seq: number,
    videoTiming: VideoTiming | undefined,
  ): Buffer {
    const extensions = this.#extensions;
    const perExtension = this.#twoByte ? 2 : 1;
    let extensionBytes = 0;
    for (const { kind } of this.#order) {
      const length = this.#lengthOf(kind, videoTiming);
      if (length > 0) extensionBytes += perExtension + length;
    }
    const csrcs = Math.min(header.csrc.length, 15);
    const paddedExtension = (extensionBytes + 3) & ~3;
    const size = 12 + csrcs * 4 + (extensionBytes > 0 ? 4 + paddedExtension : 0);
    const buf = Buffer.alloc(size);
    buf[0] = 0x80 | (extensionBytes > 0 ? 0x10 : 0) | csrcs;
    buf[1] = (header.marker ? 0x80 : 0) | (this.payloadType & 0x7f);
    buf.writeUInt16BE(seq, 2);
    buf.writeUInt32BE(header.timestamp >>> 0, 4);
    buf.writeUInt32BE(this.ssrc, 8);
    let offset = 12;
    for (let i = 0; i < csrcs; i++, offset += 4)
      buf.writeUInt32BE((header.csrc[i] ?? 0) >>> 0, offset);
    if (extensionBytes === 0) return buf;
    buf.writeUInt16BE(this.#twoByte ? twoByteProfile : oneByteProfile, offset);
    buf.writeUInt16BE(paddedExtension / 4, offset + 2);
    offset += 4;
    for (const { id, kind } of this.#order) {
      const length = this.#lengthOf(kind, videoTiming);
      if (length === 0) continue;
      if (this.#twoByte) {
        buf[offset++] = id;
        buf[offset++] = length;
      } else {
        buf[offset++] = (id << 4) | (length - 1);
      }
      switch (kind) {
        case 'mid':
          extensions.mid?.value.copy(buf, offset);
          break;
        case 'playoutDelay':
          extensions.playoutDelay?.value.copy(buf, offset);
          break;
        case 'videoTiming':
          if (videoTiming) serializeVideoTiming(videoTiming).copy(buf, offset);
          break;
        case 'absSendTime':
          buf.writeUIntBE(absSendTime(performance.timeOrigin + performance.now()), offset, 3);
          break;
        case 'transportCc':
          buf.writeUInt16BE(this.#output.nextTransportSequenceNumber() & 0xffff, offset);
          break;
      }
      offset += length;
    }
    return buf;
  }

  #lengthOf(kind: ExtensionKind, videoTiming: VideoTiming | undefined): number {
    switch (kind) {
      case 'mid':
        return this.#extensions.mid?.value.length ?? 0;
      case 'playoutDelay':
        return this.#extensions.playoutDelay?.value.length ?? 0;
      case 'videoTiming':
        return videoTiming ? videoTimingBytes : 0;
      case 'absSendTime':
        return 3;
      case 'transportCc':
        return 2;
    }
  }
}

/** abs-send-time's 24 bits: seconds as 6.18 fixed point, from epoch ms. */
export function absSendTime(epochMs: number): number {
  return Math.floor(epochMs * 262.144) & 0xffffff;
}
