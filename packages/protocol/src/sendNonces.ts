import type { NonceManager } from 'viem';
import { getTransactionCount } from 'viem/actions';

/** How long a nonce handed out counts as in flight when the chain's pending count lags it, ms. */
const defaultInFlightMs = 15_000;

/**
 * Nonces for one process's overlapping sends from one account (`privateKeyToAccount(key, {
 * nonceManager: sendNonces() })`). An orchestrator redeems winners while its round service
 * initialises rounds, from the same account: each send read the chain's pending count, two sends
 * at once got the same nonce and one was refused ("nonce too low"), left to the retries.
 *
 * Here the reads are taken one at a time per account, and a send that starts while the one before
 * is still being prepared (the chain's pending count does not show it yet) gets the next nonce.
 * Unlike viem's shared `nonceManager`, which keeps the last nonce per address and chain id for the
 * life of the process, a nonce handed out counts only for `inFlightMs` and until its send fails:
 * after that the chain's count rules again, so a transaction the chain dropped, a chain restarted
 * with the same id (a local anvil) or reverted to a snapshot never leaves a gap that holds every
 * later transaction.
 */
export function sendNonces(options: { inFlightMs?: number } = {}): NonceManager {
  const inFlightMs = options.inFlightMs ?? defaultInFlightMs;
  const last = new Map<string, { nonce: number; atMs: number }>();
  const turns = new Map<string, Promise<unknown>>();
  const keyOf = ({ address, chainId }: { address: string; chainId: number }) =>
    `${address.toLowerCase()}.${chainId}`;
  return {
    consume(parameters) {
      const key = keyOf(parameters);
      const turn = (turns.get(key) ?? Promise.resolve()).then(async () => {
        const pending = await getTransactionCount(parameters.client, {
          address: parameters.address,
          blockTag: 'pending',
        });
        const before = last.get(key);
        const nonce =
          before && performance.now() - before.atMs < inFlightMs && before.nonce >= pending
            ? before.nonce + 1
            : pending;
        last.set(key, { nonce, atMs: performance.now() });
        return nonce;
      });
      // The next consume waits for this one, whether it read the chain or failed to.
      turns.set(
        key,
        turn.catch(() => {}),
      );
      return turn;
    },
    increment() {},
    get(parameters) {
      return getTransactionCount(parameters.client, {
        address: parameters.address,
        blockTag: 'pending',
      });
    },
    reset(parameters) {
      // A send failed: what the chain counts rules from the next one.
      last.delete(keyOf(parameters));
    },
  };
}
