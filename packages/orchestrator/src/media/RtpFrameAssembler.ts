import type { EncodedVideoFrame } from './CodecEngine.ts';
import { DepacketizeError, type Depacketizer } from './PayloadFormat.ts';

/** One frame out of the assembler: coded data and its RTP timestamp. */
export type AssembledFrame = EncodedVideoFrame & {
  rtpTimestamp: number;
  /** Payload bytes of its packets (what the sender counted as sent). */
  payloadBytes: number;
};

export type RtpFrameAssemblerOptions = {
  depacketizer: Depacketizer;
  /**
   * How long a missing packet is waited for (the receiver NACKs it; the sender retransmits)
   * before the frames behind it are given up and a keyframe is needed, ms (default 250).
   */
  maxWaitMs?: number;
  /** Packets held at most while waiting; more gives up the oldest frames (default 2048). */
  maxPackets?: number;
};

type Held = { payload: Buffer; timestamp: number; marker: boolean };

/** Signed distance a − b between 16-bit RTP sequence numbers. */
export function seqDiff(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

/**
 * Puts one stream's RTP packets back into whole frames, in order, for a decoder that must get
 * every frame of a chain of references: a frame leaves only when every packet from the previous
 * frame's last to its own marker is there. A missing packet holds the frames behind it while
 * retransmissions may still come (`maxWaitMs`); after that they are given up, and nothing is
 * delivered until a keyframe starts anew (`needsKeyframe` says so; the owner asks the sender).
 * A stream starts in that state too: decoding starts at a keyframe.
 */
export class RtpFrameAssembler {
  readonly #depacketizer: Depacketizer;
  readonly #maxWaitMs: number;
  readonly #maxPackets: number;
  readonly #held = new Map<number, Held>();
  /** The sequence number the next frame starts at; undefined until a keyframe start is seen. */
  #next: number | undefined;
  #highest: number | undefined;
  #gapSinceMs: number | undefined;
  #needsKeyframe = true;
  /** Packets never received in time (their frames were given up). */
  packetsLost = 0;
  /** Packets that came twice, or after their frame was delivered or given up. */
  packetsLate = 0;
  /** Frames delivered. */
  frames = 0;
  /** Padding-only packets skipped. */
  packetsPadding = 0;
  /** The RTP timestamp of the last frame delivered. */
  #lastTimestamp: number | undefined;
  /** Frames that could not be put together (malformed payloads). */
  framesMalformed = 0;

  constructor(options: RtpFrameAssemblerOptions) {
    this.#depacketizer = options.depacketizer;
    this.#maxWaitMs = options.maxWaitMs ?? 250;
    this.#maxPackets = options.maxPackets ?? 2048;
  }

  /** Nothing is delivered until a keyframe arrives (stream start, loss given up, a bad frame). */
  get needsKeyframe(): boolean {
    return this.#needsKeyframe;
  }

  /** Takes one packet; returns the frames it completed, in order. */
  push(
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    payload: Buffer,
    nowMs: number,
  ): AssembledFrame[] {
    if (this.#next !== undefined && seqDiff(sequenceNumber, this.#next) < 0) {
      this.packetsLate++;
      return [];
    }
    if (this.#held.has(sequenceNumber)) {
      this.packetsLate++;
      return [];
    }
    this.#held.set(sequenceNumber, { payload, timestamp, marker });
    if (this.#highest === undefined || seqDiff(sequenceNumber, this.#highest) > 0) {
      this.#highest = sequenceNumber;
    }
    if (this.#held.size > this.#maxPackets) this.#giveUp();
    return this.#drain(nowMs);
  }

  /** Gives up frames waiting on a packet for longer than `maxWaitMs`. Call it every few ms. */
  poll(nowMs: number): AssembledFrame[] {
    if (this.#gapSinceMs === undefined || nowMs - this.#gapSinceMs < this.#maxWaitMs) return [];
    this.#giveUp();
    return this.#drain(nowMs);
  }

  /** The decoder could not use a frame: wait for a keyframe. */
  requireKeyframe(): void {
    this.#needsKeyframe = true;
  }

  /**
   * Counts the missing packets as lost and drops what is held before the first of them (those
   * frames cannot be decoded any more), so that decoding resumes at a later keyframe.
   */
  #giveUp(): void {
    const next = this.#next;
    const highest = this.#highest;
    if (next !== undefined && highest !== undefined) {
      let firstMissing: number | undefined;
      for (let seq = next; seqDiff(seq, highest) <= 0; seq = (seq + 1) & 0xffff) {
        if (this.#held.has(seq)) continue;
        this.packetsLost++;
        firstMissing ??= seq;
      }
      const cut = firstMissing ?? (highest + 1) & 0xffff;
      for (const seq of [...this.#held.keys()]) {
        if (seqDiff(seq, cut) < 0) this.#held.delete(seq);
      }
      this.#next = cut;
    } else {
      this.#held.clear();
    }
    this.#needsKeyframe = true;
    this.#gapSinceMs = undefined;
  }

  #drain(nowMs: number): AssembledFrame[] {
    const out: AssembledFrame[] = [];
    for (;;) {
      if (this.#needsKeyframe && !this.#resumeAtKeyframe()) break;
      const next = this.#next;
      if (next === undefined) break;
      // Padding-only packets (libwebrtc's bandwidth probes) take a sequence number and carry
      // nothing. They come with the last frame's timestamp; relayed by an SFU that keeps their
      // padding bit but not their padding (werift's), their payload reads as garbage: skip both.
      const held = this.#held.get(next);
      if (held && (held.payload.length === 0 || held.timestamp === this.#lastTimestamp)) {
        this.#held.delete(next);
        this.#next = (next + 1) & 0xffff;
        this.packetsPadding++;
        continue;
      }
      const frame = this.#takeFrame(next);
      if (frame === 'incomplete') {
        // A hole (a missing packet with later ones here) is a loss that retransmission may
        // repair in time; a frame whose last packets have not come yet is not.
        if (this.#hasHole(next)) this.#gapSinceMs ??= nowMs;
        else this.#gapSinceMs = undefined;
        break;
      }
      this.#gapSinceMs = undefined;
      if (frame) out.push(frame);
    }
    return out;
  }

  /** Whether a packet from `next` to the highest one received is missing. */
  #hasHole(next: number): boolean {
    const highest = this.#highest;
    if (highest === undefined) return false;
    for (let seq = next; seqDiff(seq, highest) < 0; seq = (seq + 1) & 0xffff) {
      if (!this.#held.has(seq)) return true;
    }
    return false;
  }

  /**
   * Moves the start to the earliest held packet that starts a keyframe, dropping what is
   * before it; false when none is held.
   */
  #resumeAtKeyframe(): boolean {
    let start: number | undefined;
    for (const [seq, held] of this.#held) {
      if (start !== undefined && seqDiff(seq, start) >= 0) continue;
      if (held.payload.length === 0 || held.timestamp === this.#lastTimestamp) continue;
      if (safely(() => this.#depacketizer.startsKeyframe(held.payload))) start = seq;
    }
    if (start === undefined) return false;
    for (const seq of [...this.#held.keys()]) {
      if (seqDiff(seq, start) < 0) this.#held.delete(seq);
    }
    this.#next = start;
    this.#needsKeyframe = false;
    return true;
  }

  /**
   * The frame starting at `start` when all its packets are held (removing them), `undefined`
   * when it was malformed (dropped; a keyframe is needed), `incomplete` otherwise.
   */
  #takeFrame(start: number): AssembledFrame | undefined | 'incomplete' {
    const first = this.#held.get(start);
    if (!first) return 'incomplete';
    const seqs: number[] = [];
    let seq = start;
    let last: number | undefined;
    for (;;) {
      const held = this.#held.get(seq);
      if (!held) return 'incomplete';
      if (held.payload.length === 0 && !held.marker) {
        // Padding inside or right after the frame: it belongs to no frame.
        seq = (seq + 1) & 0xffff;
        continue;
      }
      if (held.timestamp !== first.timestamp) {
        // The frame ended without a marker (some senders omit it): it ends before this packet.
        last = (seq - 1) & 0xffff;
        break;
      }
      seqs.push(seq);
      if (held.marker) {
        last = seq;
        break;
      }
      seq = (seq + 1) & 0xffff;
      if (seqs.length > this.#maxPackets) return 'incomplete';
    }
    const payloads = seqs
      .map((s) => (this.#held.get(s) as Held).payload)
      .filter((payload) => payload.length > 0);
    for (let s = start; seqDiff(s, last) <= 0; s = (s + 1) & 0xffff) this.#held.delete(s);
    this.#next = (last + 1) & 0xffff;
    try {
      if (!this.#depacketizer.startsFrame(payloads[0] as Buffer)) {
        throw new DepacketizeError('the packet after the previous frame does not start a frame');
      }
      const frame = this.#depacketizer.assemble(payloads);
      this.frames++;
      this.#lastTimestamp = first.timestamp;
      return {
        ...frame,
        rtpTimestamp: first.timestamp,
        payloadBytes: payloads.reduce((sum, p) => sum + p.length, 0),
      };
    } catch (error) {
      if (!(error instanceof DepacketizeError)) throw error;
      this.framesMalformed++;
      this.#needsKeyframe = true;
      return undefined;
    }
  }
}

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
