import type { SharedStream } from './GatewayState.ts';
import { StreamRelay, type StreamRelayOptions } from './StreamRelay.ts';

/**
 * The relays of this gateway, one per stream (playback id) held by another gateway that viewers
 * here play; made on the first viewer, ended with the last. Owns them: `close()` ends them all.
 */
export class StreamRelays {
  readonly #relays = new Map<string, Promise<StreamRelay>>();
  readonly #options: Omit<StreamRelayOptions, 'stream' | 'playbackId' | 'onClose'>;

  constructor(options: Omit<StreamRelayOptions, 'stream' | 'playbackId' | 'onClose'>) {
    this.#options = options;
  }

  /** The relay of `playbackId` (held by `stream`'s gateway), made when there is none yet. */
  relayOf(stream: SharedStream, playbackId: string): Promise<StreamRelay> {
    let relay = this.#relays.get(playbackId);
    if (!relay) {
      relay = StreamRelay.create({
        ...this.#options,
        stream,
        playbackId,
        onClose: () => this.#relays.delete(playbackId),
      });
      this.#relays.set(playbackId, relay);
      relay.catch(() => this.#relays.delete(playbackId));
    }
    return relay;
  }

  /** The relay of `playbackId`, if one runs. */
  async find(playbackId: string): Promise<StreamRelay | undefined> {
    return this.#relays.get(playbackId)?.catch(() => undefined);
  }

  async close(): Promise<void> {
    const relays = [...this.#relays.values()];
    this.#relays.clear();
    await Promise.all(relays.map((r) => r.then((relay) => relay.close()).catch(() => {})));
  }
}
