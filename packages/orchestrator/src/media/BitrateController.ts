export type BitrateControllerOptions = {
  startKbps: number;
  minKbps: number;
  maxKbps: number;
};

/**
 * The encoder's target from the leg's feedback: RTCP receiver reports (the share of our packets
 * lost) and, when the receiver sends one, REMB (its bandwidth estimate, a cap). Loss-based, as
 * libwebrtc's fallback controller: above 10 % loss the target falls in proportion, below 2 % it
 * climbs back 8 % a report (reports come about once a second), in between it holds. It climbs no
 * higher than the gateway's start hint (`x-google-start-bitrate`: what the gateway asked for;
 * without a bandwidth estimate there is nothing to climb for) and falls no lower than its min.
 */
export class BitrateController {
  readonly #options: BitrateControllerOptions;
  #targetKbps: number;
  #rembKbps = Number.POSITIVE_INFINITY;

  constructor(options: BitrateControllerOptions) {
    const minKbps = Math.max(1, Math.min(options.minKbps, options.maxKbps));
    const maxKbps = clamp(options.startKbps, minKbps, options.maxKbps);
    this.#options = { startKbps: maxKbps, minKbps, maxKbps };
    this.#targetKbps = maxKbps;
  }

  get targetKbps(): number {
    return Math.round(Math.min(this.#targetKbps, Math.max(this.#options.minKbps, this.#rembKbps)));
  }

  /** A receiver report: `fractionLost` is the share of packets lost since the last one (0..1). */
  onReceiverReport(fractionLost: number): number {
    const { minKbps, maxKbps } = this.#options;
    if (fractionLost > 0.1) this.#targetKbps *= 1 - 0.5 * fractionLost;
    else if (fractionLost < 0.02) this.#targetKbps *= 1.08;
    this.#targetKbps = clamp(this.#targetKbps, minKbps, maxKbps);
    return this.targetKbps;
  }

  /** A REMB from the receiver, kbps. */
  onRemb(kbps: number): number {
    if (Number.isFinite(kbps) && kbps > 0) this.#rembKbps = kbps;
    return this.targetKbps;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
