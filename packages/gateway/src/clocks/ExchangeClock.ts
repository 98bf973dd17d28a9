/** Exchanges kept; the one with the shortest round trip gives the offset. */
const exchangesKept = 10;

/** One request and its answer: when it left and came back on our clock, and the peer's clock as it answered. */
export type ClockExchange = {
  /** Our clock when the request left, epoch ms. */
  sentAtMs: number;
  /** The peer's clock when the request arrived, epoch ms. */
  receivedAtMs: number;
  /** The peer's clock when it answered, epoch ms. */
  nowMs: number;
  /** Our clock when the answer came, epoch ms. */
  answeredAtMs: number;
};

/**
 * Estimates a peer's clock offset (peer − ours, ms) from request/answer exchanges, as NTP does:
 * the peer's time in the middle of an exchange, less ours. The exchange with the shortest round
 * trip (the least queued) of the last ten wins. (`SenderClock` maps a media sender's RTP
 * timestamps instead, from its RTCP sender reports.)
 */
export class ExchangeClock {
  readonly #samples: { rttMs: number; offsetMs: number }[] = [];

  /** Adds an exchange; returns the offset estimate, peer − ours, ms. */
  exchange({ sentAtMs, receivedAtMs, nowMs, answeredAtMs }: ClockExchange): number {
    this.#samples.push({
      rttMs: answeredAtMs - sentAtMs - (nowMs - receivedAtMs),
      offsetMs: (receivedAtMs - sentAtMs + (nowMs - answeredAtMs)) / 2,
    });
    if (this.#samples.length > exchangesKept) this.#samples.shift();
    return this.#samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a)).offsetMs;
  }
}
