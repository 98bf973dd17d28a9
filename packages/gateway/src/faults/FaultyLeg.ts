import type { IceFragment, LegState, SfuLeg, SfuLegEvents } from '../SfuAdapter.ts';
import type { SfuPacket } from '../SfuPacket.ts';
import type { VideoTiming } from '../videoTiming.ts';
import { WeriftLeg } from '../WeriftLeg.ts';

/** What a `FaultyLeg` does wrong now (ratios 0..1). */
export type LegFaults = {
  /** Share of the remote's video packets dropped as they arrive, before any other leg sees them. */
  dropReceivedRatio: number;
  /** Share of the video packets `send()` gets dropped before the SFU (only a keyframe repairs it). */
  dropSentRatio: number;
  /**
   * Share of the video packets sent lost after the leg kept them for retransmission, as on a
   * lossy network: NACKs repair it (werift legs only).
   */
  lossRatio: number;
};

type Listener = (...args: never[]) => void;

/**
 * Fault injection: a leg that drops or loses packets on purpose. Wraps a real leg and passes
 * everything else through; the gateway makes these only with fault injection on.
 */
export class FaultyLeg implements SfuLeg {
  readonly #inner: SfuLeg;
  #faults: LegFaults = { dropReceivedRatio: 0, dropSentRatio: 0, lossRatio: 0 };
  #lossInstalled = false;
  /** The `rtp` listeners given, and the filtering ones registered on the inner leg for them. */
  readonly #rtpListeners = new Map<Listener, Listener>();
  /** Packets dropped by the `drop…` ratios, both ways. */
  packetsDropped = 0;
  /** Packets lost by `lossRatio`. */
  packetsLost = 0;

  constructor(inner: SfuLeg) {
    this.#inner = inner;
  }

  /** Applies these faults from now on. */
  setFaults(faults: LegFaults): void {
    this.#faults = faults;
    if (faults.lossRatio > 0) this.#installLoss();
  }

  get state(): LegState {
    return this.#inner.state;
  }
  get packetsIn(): number {
    return this.#inner.packetsIn;
  }
  get packetsOut(): number {
    return this.#inner.packetsOut;
  }
  get audioPacketsIn(): number {
    return this.#inner.audioPacketsIn ?? 0;
  }
  get roundTripMs(): number {
    return this.#inner.roundTripMs;
  }
  get hasAudio(): boolean {
    return this.#inner.hasAudio ?? false;
  }

  on<K extends keyof SfuLegEvents>(event: K, listener: (...args: SfuLegEvents[K]) => void): this {
    if (event !== 'rtp') {
      this.#inner.on(event, listener);
      return this;
    }
    const filtered = (packet: SfuPacket, videoTiming?: VideoTiming) => {
      if (this.#drop(this.#faults.dropReceivedRatio)) return;
      (listener as (packet: SfuPacket, videoTiming?: VideoTiming) => void)(packet, videoTiming);
    };
    this.#rtpListeners.set(listener as Listener, filtered as Listener);
    this.#inner.on('rtp', filtered);
    return this;
  }

  off<K extends keyof SfuLegEvents>(event: K, listener: (...args: SfuLegEvents[K]) => void): this {
    const registered = event === 'rtp' ? this.#rtpListeners.get(listener as Listener) : listener;
    this.#rtpListeners.delete(listener as Listener);
    if (registered) this.#inner.off(event, registered as (...args: SfuLegEvents[K]) => void);
    return this;
  }

  send(packet: SfuPacket, videoTiming?: VideoTiming): void {
    if (this.#drop(this.#faults.dropSentRatio)) return;
    this.#inner.send(packet, videoTiming);
  }

  sendAudio(packet: SfuPacket, senderTimeMs: number): void {
    this.#inner.sendAudio?.(packet, senderTimeMs);
  }
  accept(answerSdp: string): Promise<void> {
    return this.#inner.accept(answerSdp);
  }
  requestKeyframe(): void {
    this.#inner.requestKeyframe();
  }
  switchSource(): void {
    this.#inner.switchSource();
  }
  addRemoteCandidates(fragment: IceFragment): Promise<void> {
    return this.#inner.addRemoteCandidates(fragment);
  }
  restartIce(fragment: IceFragment): Promise<string> {
    return this.#inner.restartIce(fragment);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }

  #drop(ratio: number): boolean {
    if (ratio === 0 || Math.random() >= ratio) return false;
    this.packetsDropped++;
    return true;
  }

  /**
   * Loses `lossRatio` of the video packets the leg sends (retransmissions too) after it cached
   * them for retransmission: its video output's `write` is wrapped once.
   */
  #installLoss(): void {
    if (this.#lossInstalled || !(this.#inner instanceof WeriftLeg)) return;
    const output = this.#inner.videoOutput;
    if (!output) return;
    const write = output.write.bind(output);
    output.write = (datagram) => {
      const { lossRatio } = this.#faults;
      if (lossRatio > 0 && Math.random() < lossRatio) {
        this.packetsLost++;
        return;
      }
      write(datagram);
    };
    this.#lossInstalled = true;
  }
}
