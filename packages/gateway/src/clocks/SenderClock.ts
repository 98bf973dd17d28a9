/** RTP video clock: 90 kHz. */
const videoClockRateHz = 90_000;
/** Sender reports whose clock offsets are kept; the smallest offset (least delayed report) wins. */
const reportsKept = 8;
/** Two reports agree when they map RTP to NTP within this of each other, ms. */
const reportAgreementMs = 10;

/**
 * Maps a remote sender's RTP timestamps to the gateway's clock through its RTCP sender reports:
 * a report's NTP time was stamped when it left the sender, about half a round trip before it
 * arrived. Like libwebrtc's remote NTP estimation, this needs no synchronised clocks.
 */
export class SenderClock {
  readonly #ticksPerMs: number;
  #report: { ntpMs: number; rtpTimestamp: number } | undefined;
  /** gateway ms − sender NTP ms, one per report, and the smallest of them. */
  readonly #offsets: number[] = [];
  #offsetMs = 0;
  #confirmed = false;

  /** `clockRateHz`: the RTP clock of the sender's stream (default 90 000, video; Opus is 48 000). */
  constructor(clockRateHz = videoClockRateHz) {
    this.#ticksPerMs = clockRateHz / 1000;
  }

  report(sr: { ntpMs: number; rtpTimestamp: number }, arrivedAtMs: number, rttMs = 0): void {
    const last = this.#report;
    const ticks = last ? (sr.rtpTimestamp - last.rtpTimestamp) | 0 : 0;
    this.#confirmed =
      last !== undefined &&
      Math.abs(sr.ntpMs - last.ntpMs - ticks / this.#ticksPerMs) < reportAgreementMs;
    this.#report = sr;
    this.#offsets.push(arrivedAtMs - rttMs / 2 - sr.ntpMs);
    if (this.#offsets.length > reportsKept) this.#offsets.shift();
    this.#offsetMs = Math.min(...this.#offsets);
  }

  /**
   * When the frame with this RTP timestamp was captured on the sender's own clock (its reports'
   * NTP), ms; undefined before a report. Streams of one sender share that clock (RFC 3550 lip
   * sync): differences between their times need no offset to the gateway's clock.
   */
  senderMs(rtpTimestamp: number): number | undefined {
    const report = this.#report;
    if (!report) return undefined;
    // Signed 32-bit difference: RTP timestamps wrap.
    const ticks = (rtpTimestamp - report.rtpTimestamp) | 0;
    return report.ntpMs + ticks / this.#ticksPerMs;
  }

  /**
   * Whether the last two reports map RTP timestamps to NTP alike. A first report can be off by
   * seconds (GStreamer's was: made while it queued media before connecting); times compared
   * across two streams of a sender (lip sync) wait for this.
   */
  get confirmed(): boolean {
    return this.#confirmed;
  }

  /** Gateway ms − sender NTP ms (the least delayed report's); undefined before a report. */
  get offsetMs(): number | undefined {
    return this.#report ? this.#offsetMs : undefined;
  }

  /** When the frame with this RTP timestamp was captured, gateway ms; undefined before a report. */
  captureMs(rtpTimestamp: number): number | undefined {
    const senderMs = this.senderMs(rtpTimestamp);
    return senderMs === undefined ? undefined : senderMs + this.#offsetMs;
  }

  reset(): void {
    this.#report = undefined;
    this.#confirmed = false;
    this.#offsets.length = 0;
  }
}
