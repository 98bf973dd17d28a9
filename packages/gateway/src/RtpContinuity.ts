import type { SfuPacketHeader } from './SfuPacket.ts';

/**
 * Keeps one outgoing RTP stream continuous while its source changes (a new orchestrator after a
 * failover): after `switchSource()`, sequence numbers continue from the last one sent and the
 * timestamp one frame interval (90 kHz) after the last, so the remote keeps one track and needs
 * no renegotiation.
 */
export class RtpContinuity {
  #seqOffset = 0;
  #timestampOffset = 0;
  #lastSeqOut: number | undefined;
  #lastTimestampOut: number | undefined;
  #sourceSwitched = false;

  /** The packets rewritten from now on come from another source. */
  switchSource(): void {
    this.#sourceSwitched = true;
  }

  /** Rewrites a packet's sequence number and timestamp in place. */
  rewrite(header: Pick<SfuPacketHeader, 'sequenceNumber' | 'timestamp'>): void {
    if (
      this.#sourceSwitched &&
      this.#lastSeqOut !== undefined &&
      this.#lastTimestampOut !== undefined
    ) {
      this.#sourceSwitched = false;
      this.#seqOffset = (this.#lastSeqOut + 1 - header.sequenceNumber) & 0xffff;
      // One frame interval at 90 kHz after the last frame sent.
      this.#timestampOffset = (this.#lastTimestampOut + 3000 - header.timestamp) >>> 0;
    }
    header.sequenceNumber = (header.sequenceNumber + this.#seqOffset) & 0xffff;
    header.timestamp = (header.timestamp + this.#timestampOffset) >>> 0;
    // Keep the highest sent (wrap-aware): a late retransmission must not move the continuation point.
    if (
      this.#lastSeqOut === undefined ||
      ((header.sequenceNumber - this.#lastSeqOut) & 0xffff) < 0x8000
    ) {
      this.#lastSeqOut = header.sequenceNumber;
    }
    if (
      this.#lastTimestampOut === undefined ||
      (header.timestamp - this.#lastTimestampOut) >>> 0 < 0x80000000
    ) {
      this.#lastTimestampOut = header.timestamp;
    }
  }
}
