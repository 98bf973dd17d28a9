import { type Address, zeroAddress } from 'viem';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { getTranscoderPool } from './getTranscoderPool.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetPoolPositionHintsParameters = {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** The orchestrator that moves (or joins the pool). */
  transcoder: Address;
  /** Its total stake once the transaction is done, LPT. */
  stakeWei: Wei;
};

/** Its neighbours in the pool; the zero address for an end. */
export type PoolPositionHint = { prev: Address; next: Address };

export type GetPoolPositionHintsReturnType = PoolPositionHint;

/**
 * Where `transcoder` will sit in the BondingManager's pool once its total stake is `stakeWei`:
 * the neighbours to pass as a `*WithHint` function's `_newPosPrev`/`_newPosNext`. Reads the pool
 * (`getTranscoderPool`), so the transaction itself needs no search. A hint that went stale before
 * the transaction is mined only costs the contract a search.
 */
export async function getPoolPositionHints(
  client: ProtocolReadClient,
  parameters: GetPoolPositionHintsParameters,
): Promise<GetPoolPositionHintsReturnType> {
  const { transcoder, stakeWei } = parameters;
  // The pool is bounded on chain (numActiveTranscoders); read all of it.
  const pool = await getTranscoderPool(client, {
    addresses: parameters.addresses,
    limit: Number.POSITIVE_INFINITY,
  });
  let prev: Address = zeroAddress;
  for (const member of pool) {
    if (member.address === transcoder) continue;
    // Equal stakes keep their order: a node goes after the members with as much stake.
    if (stakeWei > member.totalStakeWei) return { prev, next: member.address };
    prev = member.address;
  }
  return { prev, next: zeroAddress };
}
