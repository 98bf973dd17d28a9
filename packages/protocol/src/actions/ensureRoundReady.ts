import type { TestClient } from 'viem';
import { getBlockNumber } from 'viem/actions';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import { advanceRound } from './advanceRound.ts';
import { getRoundInfo } from './getRoundInfo.ts';
import { initializeRound } from './initializeRound.ts';
import type { ProtocolWriteClient } from './protocolActionTypes.ts';

export type EnsureRoundReadyParameters = {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
  /** The local chain's test client: it mines the blocks. */
  testClient: TestClient;
  /** Also outside the round's lock period (where bonding changes are refused). */
  unlocked?: boolean | undefined;
  /** Blocks that must remain in the round after the next one (default 4). */
  minBlocksLeft?: bigint | undefined;
};

/** The round now current, initialised. */
export type EnsureRoundReadyReturnType = bigint;

/**
 * On a local chain: makes sure the next few transactions land in an initialised round (and,
 * with `unlocked`, outside its lock period), mining to the next round when the current one is
 * about to end. The client initialises the round when needed. Like `advanceRound`, it counts in
 * the chain's own blocks, the contract's `block.number` on anvil only.
 */
export async function ensureRoundReady(
  client: ProtocolWriteClient,
  parameters: EnsureRoundReadyParameters,
): Promise<EnsureRoundReadyReturnType> {
  const { addresses } = parameters;
  const [info, block] = await Promise.all([
    getRoundInfo(client, { addresses }),
    getBlockNumber(client, { cacheTime: 0 }),
  ]);
  const lockBlocks = parameters.unlocked
    ? (info.lengthBlocks * info.lockAmountPpm) / 1_000_000n
    : 0n;
  const blocksLeft = info.startBlock + info.lengthBlocks - lockBlocks - (block + 1n);
  if (blocksLeft < (parameters.minBlocksLeft ?? 4n)) return advanceRound(client, parameters);
  if (!info.initialized) return (await initializeRound(client, { addresses })).round;
  return info.round;
}
