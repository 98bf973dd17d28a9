import { type Address, type Client, zeroAddress } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';

export type PoolPositionHint = { prev: Address; next: Address };

/**
 * Where `transcoder` will sit in the BondingManager's pool once its total stake is `stakeWei`:
 * the neighbours to pass as a `*WithHint` function's `_newPosPrev`/`_newPosNext` (zero for an end).
 * Walks the pool (one read per member), so the transaction itself needs no search. A hint that
 * went stale before the transaction is mined only costs the contract a search.
 */
export async function getPoolPositionHints(
  client: Client,
  parameters: { bondingManager: Address; transcoder: Address; stakeWei: bigint },
): Promise<PoolPositionHint> {
  const { bondingManager, transcoder } = parameters;
  const read = (functionName: 'getNextTranscoderInPool' | 'transcoderTotalStake', at: Address) =>
    readContract(client, {
      address: bondingManager,
      abi: bondingManagerAbi,
      functionName,
      args: [at],
    });
  let prev: Address = zeroAddress;
  let member = await readContract(client, {
    address: bondingManager,
    abi: bondingManagerAbi,
    functionName: 'getFirstTranscoderInPool',
  });
  while (member !== zeroAddress) {
    if (member !== transcoder) {
      // Equal stakes keep their order: a node goes after the members with as much stake.
      const stake = (await read('transcoderTotalStake', member)) as bigint;
      if (parameters.stakeWei > stake) return { prev, next: member };
      prev = member;
    }
    member = (await read('getNextTranscoderInPool', member)) as Address;
  }
  return { prev, next: zeroAddress };
}
