import { opusClockRateHz } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import type { SfuPacket } from './SfuPacket.ts';

export type AudioDelayOptions = {
  /**
   * Packets keep their timestamps while the time they leave stays within this of the time asked
   * for, ms (default 8); beyond it the delay line re-aligns (a gap or a few dropped packets).
   */
  toleranceMs?: number;
  /** RTP clock of the audio, Hz (default 48 000, Opus). */
  clockRateHz?: number;
};

export const defaultAudioDelayOptions = { toleranceMs: 8, clockRateHz: opusClockRateHz } as const;

type Scheduled = { packet: SfuPacket; sendAtMs: number };

/**
 * A delay line for one RTP audio stream on a single output clock. Each packet is sent at the
 * time the caller asks for (`push`), and its outgoing RTP timestamp is chosen so that one fixed
 * linear map, `sendAtMs = originMs + (timestamp − originTimestamp) / ticksPerMs`, holds for every
 * packet ever sent: sender reports built from that map (`send`'s `senderTimeMs`) are exact, and
 * a receiver's lip sync sees one steady clock.
 *
 * While the asked-for times follow the packets' own timestamps (a steady delay), timestamps only
 * get a constant offset. When the delay grows by more than `toleranceMs` the offset jumps forward
 * (a gap receivers conceal); when it shrinks, packets are dropped until the incoming ones pass the
 * last one sent (timestamps never go back), then the offset jumps.
 */
export class AudioDelay {
  readonly #send: (packet: SfuPacket, senderTimeMs: number) => void;
  readonly #toleranceMs: number;
  readonly #ticksPerMs: number;
  /** Outgoing timestamp = incoming + offset (mod 2³²). */
  #offset = 0;
  #origin: { timestamp: number; ms: number } | undefined;
  #lastOut: number | undefined;
  /** Ticks of one packet (the least positive step between incoming timestamps seen; 20 ms at first). */
  #packetTicks: number;
  #lastIn: number | undefined;
  /**
   * The next outgoing sequence number: one more per packet sent, in the order they leave, never the
   * incoming ones. The input changes source (the publisher's own audio while the stream moves, then
   * another orchestrator's), each numbering its packets its own way, and a receiver's jitter buffer
   * drops a stream whose numbers jump back; a gap in the numbers would hold its playout while it
   * waits for packets that never come (a jump in timestamps it takes as it is).
   */
  #nextSeq: number | undefined;
  readonly #queue: Scheduled[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  packetsIn = 0;
  packetsOut = 0;
  /** Packets dropped while the delay shrank. */
  packetsDropped = 0;
  /** Packets the caller skipped (`skip`), and those dropped right after them. */
  packetsSkipped = 0;
  /** Times the offset jumped for a change of delay (not for a skip in the input). */
  realignments = 0;
  /** Packets were skipped since the last one queued: its timestamp jumps ahead of the map. */
  #afterSkip = false;
  /** The delay the last packet got (its send time less when it was pushed), ms. */
  delayMs = 0;

  constructor(
    send: (packet: SfuPacket, senderTimeMs: number) => void,
    options: AudioDelayOptions = {},
  ) {
    this.#send = send;
    this.#toleranceMs = options.toleranceMs ?? defaultAudioDelayOptions.toleranceMs;
    this.#ticksPerMs = (options.clockRateHz ?? defaultAudioDelayOptions.clockRateHz) / 1000;
    this.#packetTicks = 20 * this.#ticksPerMs;
  }

  /**
   * Queues a packet to leave at `sendAtMs` (epoch ms, this host's clock): at once when that is
   * past (a late packet is no change of delay; the map stays).
   */
  push(packet: SfuPacket, sendAtMs: number, nowMs = epochNowMs()): void {
    if (this.#closed) return;
    this.packetsIn++;
    const incoming = packet.header.timestamp;
    this.#learnPacketTicks(incoming);
    if (!this.#origin) this.#origin = { timestamp: incoming, ms: sendAtMs };
    let out = (incoming + this.#offset) >>> 0;
    const mapped = this.#mapped(out);
    const tolerance = this.#toleranceMs;
    // Later than the map: the delay grew. Earlier: it shrank, which only matters while the map
    // holds packets back (a time already past is no reason to drop one).
    const grew = mapped < sendAtMs - tolerance;
    const shrank = mapped > sendAtMs + tolerance && mapped > nowMs + tolerance;
    if (grew || shrank) {
      const targetMs = grew ? sendAtMs : Math.max(sendAtMs, nowMs);
      const offset = (this.#offset + Math.round((targetMs - mapped) * this.#ticksPerMs)) >>> 0;
      const moved = (incoming + offset) >>> 0;
      if (this.#lastOut !== undefined && ((moved - this.#lastOut) | 0) < this.#packetTicks) {
        // The delay shrank: this packet would overlap what receivers already have.
        if (this.#afterSkip) this.packetsSkipped++;
        else this.packetsDropped++;
        return;
      }
      this.#offset = offset;
      out = moved;
      // Re-aligned over a skip in the input: the delay did not change.
      if (!this.#afterSkip) this.realignments++;
    }
    this.#afterSkip = false;
    if (this.#lastOut === undefined || ((out - this.#lastOut) | 0) > 0) this.#lastOut = out;
    const at = this.#mapped(out);
    packet.header.timestamp = out;
    this.delayMs = Math.max(0, at - nowMs);
    // Re-anchored on every packet: the same map, with a small signed difference (timestamps wrap).
    this.#origin = { timestamp: out, ms: at };
    let index = this.#queue.length;
    while (index > 0 && (this.#queue[index - 1]?.sendAtMs ?? 0) > at) index--;
    this.#queue.splice(index, 0, { packet, sendAtMs: at });
    this.#flush();
  }

  /**
   * The caller drops this packet (stale: it came late in a burst). The next one pushed jumps ahead
   * in time; re-aligning for it, or dropping it, is no change of delay.
   */
  skip(packet: SfuPacket): void {
    if (this.#closed) return;
    this.#learnPacketTicks(packet.header.timestamp);
    this.packetsSkipped++;
    this.#afterSkip = true;
  }

  /** The caller drops this packet: the delay shrank past it (counted with `packetsDropped`). */
  drop(packet: SfuPacket): void {
    if (this.#closed) return;
    this.packetsIn++;
    this.#learnPacketTicks(packet.header.timestamp);
    this.packetsDropped++;
  }

  /** Sends what is due and sets a timer for the rest. */
  #flush = (): void => {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = epochNowMs();
    for (;;) {
      const head = this.#queue[0];
      if (!head) return;
      // Within half a millisecond is due: a timer would fire no sooner.
      if (head.sendAtMs > now + 0.5) {
        this.#timer = setTimeout(this.#flush, head.sendAtMs - now);
        return;
      }
      this.#queue.shift();
      const seq = this.#nextSeq ?? head.packet.header.sequenceNumber;
      head.packet.header.sequenceNumber = seq;
      this.#nextSeq = (seq + 1) & 0xffff;
      this.packetsOut++;
      this.#send(head.packet, head.sendAtMs);
    }
  };

  /** The send time the output map gives an outgoing timestamp. */
  #mapped(timestamp: number): number {
    const origin = this.#origin;
    if (!origin) return 0;
    return origin.ms + ((timestamp - origin.timestamp) | 0) / this.#ticksPerMs;
  }

  #learnPacketTicks(incoming: number): void {
    const last = this.#lastIn;
    this.#lastIn = incoming;
    if (last === undefined) return;
    const step = (incoming - last) | 0;
    // 2.5–120 ms: Opus frame sizes. Larger steps are gaps (DTX, loss), not packet lengths.
    if (step >= 2.5 * this.#ticksPerMs && step <= 120 * this.#ticksPerMs) {
      this.#packetTicks = Math.min(this.#packetTicks, step);
    }
  }

  /** Drops what is queued. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}
