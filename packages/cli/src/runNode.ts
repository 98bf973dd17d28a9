import { createLogger } from '@peerframe/core';

export type Closable = { close(): Promise<void> };

/**
 * Keeps a node running until SIGINT/SIGTERM, then closes it once (SIGTERM drains a node that can)
 * and exits. A second signal while closing exits at once.
 */
export function closeOnSignal(
  name: string,
  node: Closable & { drain?: () => Promise<void> },
): void {
  const log = createLogger(`cli:${name}`);
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    log.info({ signal }, signal === 'SIGTERM' && node.drain ? 'draining' : 'shutting down');
    // SIGTERM (an orchestrator manager, a deploy) drains where the node can; Ctrl-C stops at once.
    (signal === 'SIGTERM' && node.drain ? node.drain() : node.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Tells a parent `peerframe dev` that this node is up (no-op when run on its own). */
export function reportReady(role: string, url: string): void {
  process.send?.({ type: 'ready', role, url });
}
