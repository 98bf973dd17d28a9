import type { Logger } from '@peerframe/core';
import type { GatewayState, SharedStream } from './GatewayState.ts';

export type SharedStreamRegistryOptions = {
  state: GatewayState;
  /** This gateway's URL as the others reach it (announced with every refresh until it drains). */
  gatewayUrl: string;
  /** How often this gateway writes its live streams again, ms (0: never; the memory state needs none). */
  refreshIntervalMs: number;
  log: Logger;
};

/**
 * This gateway's live streams in the shared state: written when a stream goes live, removed when
 * it ends, and written again periodically and as soon as the store is back after an outage
 * (`refresh`), so other gateways find them and a restarted Redis learns them again.
 */
export class SharedStreamRegistry {
  readonly #options: SharedStreamRegistryOptions;
  readonly #streams = new Map<string, SharedStream>();
  readonly #timer: NodeJS.Timeout | undefined;
  #draining = false;

  get gatewayUrl(): string {
    return this.#options.gatewayUrl;
  }

  constructor(options: SharedStreamRegistryOptions) {
    this.#options = options;
    if (options.refreshIntervalMs > 0) {
      this.#timer = setInterval(() => void this.refresh(), options.refreshIntervalMs);
      this.#timer.unref();
    }
  }

  /** A stream is live here; throws `GatewayStateUnavailableError` when the store is away. */
  async add(stream: SharedStream): Promise<void> {
    await this.#options.state.addStream(stream);
    this.#streams.set(stream.streamId, stream);
  }

  /** A stream ended here (a store out of reach forgets it when its entries expire). */
  remove(streamId: string): void {
    const stream = this.#streams.get(streamId);
    if (!stream) return;
    this.#streams.delete(streamId);
    this.#options.state.removeStream(stream).catch((error: unknown) => {
      this.#options.log.warn({ err: error, streamId }, 'ended stream left in the shared state');
    });
  }

  /** This gateway takes no new stream: the others stop sending publishers to it. */
  async drain(): Promise<void> {
    this.#draining = true;
    await this.#options.state.announceGateway(this.#options.gatewayUrl, false).catch(() => {});
  }

  /**
   * Writes every live stream again, and announces the gateway unless it drains; a failure is
   * logged (the next refresh tries again).
   */
  async refresh(): Promise<void> {
    try {
      const { state, gatewayUrl } = this.#options;
      if (!this.#draining) await state.announceGateway(gatewayUrl, true);
      await state.refreshStreams([...this.#streams.values()]);
    } catch (error) {
      this.#options.log.debug({ err: error }, 'live streams not refreshed in the shared state');
    }
  }

  /**
   * Stops refreshing and, unless it drained, withdraws the gateway: else the others would send
   * publishers to it until its entry expires. A store out of reach is not waited for.
   */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#streams.clear();
    if (!this.#draining) await this.drain();
  }
}
