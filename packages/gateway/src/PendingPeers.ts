import { HttpError } from '@peerframe/core';

export type PendingPeersOptions = {
  /** Offers of one client address (and one kind) answered but not connected yet, at most (default 2). */
  maxPerClient: number;
  /** What a refused client is told to wait, ms: about how long a pending peer may stay (default 3 000). */
  retryAfterMs: number;
};

export const defaultPendingPeersOptions: PendingPeersOptions = {
  maxPerClient: 2,
  retryAfterMs: 3_000,
};

/**
 * Counts, per client address, the WHIP publishers and WHEP viewers that were (or are being)
 * answered but have not connected yet. Each one holds a leg (sockets) and, for a publisher, an
 * orchestrator session; a client that never completes ICE could otherwise take every slot.
 */
export class PendingPeers {
  readonly #options: PendingPeersOptions;
  readonly #counts = new Map<string, number>();

  constructor(options: Partial<PendingPeersOptions> = {}) {
    this.#options = { ...defaultPendingPeersOptions, ...options };
  }

  /** Peers pending for this client and kind. */
  count(client: string, kind: string): number {
    return this.#counts.get(`${kind}:${client}`) ?? 0;
  }

  /**
   * Holds a place for one more pending peer of `client`, or throws 429 `too_many_pending` when it
   * has its maximum already. Returns the release (idempotent), to call once the peer connected
   * or was dropped.
   */
  take(client: string, kind: 'publisher' | 'viewer'): () => void {
    const key = `${kind}:${client}`;
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.#options.maxPerClient) {
      const seconds = Math.ceil(this.#options.retryAfterMs / 1000);
      throw new HttpError(
        429,
        'too_many_pending',
        `This client already has ${count} ${kind}s that have not connected: connect them, or try again in ${seconds} s`,
        { details: String(seconds) },
      );
    }
    this.#counts.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left > 0) this.#counts.set(key, left);
      else this.#counts.delete(key);
    };
  }
}
