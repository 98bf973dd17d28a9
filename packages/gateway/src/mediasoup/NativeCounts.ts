import type { Consumer, Producer, RtpStreamStats } from './mediasoupTypes.ts';

/**
 * A native leg's packet counts, read from the worker every `intervalMs` (its packets never reach
 * JavaScript): what its producer received and its consumer sent. `onReceived` gets what arrived
 * since the last read, when anything did (the leg's `nativeReceived`).
 */
export class NativeCounts {
  packetsIn = 0;
  packetsOut = 0;
  readonly #intervalMs: number;
  readonly #streams: () => { producer: Producer | undefined; consumer: Consumer | undefined };
  readonly #onReceived: (delta: { packets: number; bytes: number }) => void;
  #timer: NodeJS.Timeout | undefined;
  #counted = { packets: 0, bytes: 0 };
  /** What the consumers before the current one sent. */
  #packetsOutBefore = 0;
  #stopped = false;

  constructor(
    intervalMs: number,
    streams: () => { producer: Producer | undefined; consumer: Consumer | undefined },
    onReceived: (delta: { packets: number; bytes: number }) => void,
  ) {
    this.#intervalMs = intervalMs;
    this.#streams = streams;
    this.#onReceived = onReceived;
  }

  /** Starts reading (again: nothing changes). */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.#read(), this.#intervalMs);
    this.#timer.unref();
  }

  /** The leg sends through a new consumer from now on: its count adds to the previous ones'. */
  consumerReplaced(): void {
    this.#packetsOutBefore = this.packetsOut;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #read(): Promise<void> {
    if (this.#stopped) return;
    const { producer } = this.#streams();
    let stats: RtpStreamStats[] = [];
    try {
      if (producer && !producer.closed) stats = await producer.getStats();
    } catch {
      return;
    }
    let packets = 0;
    let bytes = 0;
    for (const entry of stats) {
      packets += entry.packetCount;
      bytes += entry.byteCount;
    }
    const delta = { packets: packets - this.#counted.packets, bytes: bytes - this.#counted.bytes };
    this.#counted = { packets, bytes };
    this.packetsIn = packets;
    if (delta.packets > 0) this.#onReceived(delta);
    // The consumer of now (a failover may have replaced it meanwhile).
    const { consumer } = this.#streams();
    if (consumer && !consumer.closed) {
      const out = await consumer.getStats().catch(() => []);
      const outbound = out.find((entry) => entry.type === 'outbound-rtp');
      if (outbound) this.packetsOut = this.#packetsOutBefore + outbound.packetCount;
    }
  }
}
