import type { TestClient } from 'viem';
import { getBlockNumber } from 'viem/actions';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import { getRoundInfo } from './getRoundInfo.ts';
import { initializeRound } from './initializeRound.ts';
import type { ProtocolWriteClient } from './protocolActionTypes.ts';

export type AdvanceRoundParameters = {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
  /** The local chain's test client: it mines the blocks. */
  testClient: TestClient;
  /** Rounds to move on (default 1). */
  rounds?: bigint | undefined;
};

/** The round now current, initialised. */
export type AdvanceRoundReturnType = bigint;

/**
 * On a local chain: mines to the first block of the next round (or `rounds` rounds on) and
 * initialises it as the client. It compares the round's start block with the chain's own block
 * number, which is the contract's `block.number` on anvil (not on Arbitrum, where it is L1's).
 */
export async function advanceRound(
  client: ProtocolWriteClient,
  parameters: AdvanceRoundParameters,
): Promise<AdvanceRoundReturnType> {
  const { addresses, testClient } = parameters;
  const [{ startBlock, lengthBlocks }, block] = await Promise.all([
    getRoundInfo(client, { addresses }),
    getBlockNumber(client, { cacheTime: 0 }),
  ]);
  const target = startBlock + lengthBlocks * (parameters.rounds ?? 1n);
  // The initializeRound transaction itself is mined in the next block.
  const blocks = target - block - 1n;
  if (blocks > 0n) await testClient.mine({ blocks: Number(blocks) });
  return (await initializeRound(client, { addresses })).round;
}
