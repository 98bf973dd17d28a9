import { type Address, zeroAddress } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetTranscoderPoolParameters = {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** At most this many members (default 100; the pool is bounded on chain too). */
  limit?: number | undefined;
};

export type TranscoderPoolMember = {
  address: Address;
  /** Its own stake and its delegators', LPT. */
  totalStakeWei: Wei;
};

export type GetTranscoderPoolReturnType = TranscoderPoolMember[];

/**
 * The BondingManager's transcoder pool (the orchestrators that may be active), in pool order,
 * each with its total stake: `getFirstTranscoderInPool`, then `getNextTranscoderInPool`.
 */
export async function getTranscoderPool(
  client: ProtocolReadClient,
  parameters: GetTranscoderPoolParameters,
): Promise<GetTranscoderPoolReturnType> {
  const address = parameters.addresses.bondingManager;
  const abi = bondingManagerAbi;
  const limit = parameters.limit ?? 100;
  const members: TranscoderPoolMember[] = [];
  let member = await readContract(client, {
    address,
    abi,
    functionName: 'getFirstTranscoderInPool',
  });
  while (members.length < limit && member !== zeroAddress) {
    const [totalStakeWei, next] = await Promise.all([
      readContract(client, { address, abi, functionName: 'transcoderTotalStake', args: [member] }),
      readContract(client, {
        address,
        abi,
        functionName: 'getNextTranscoderInPool',
        args: [member],
      }),
    ]);
    members.push({ address: member, totalStakeWei });
    member = next;
  }
  return members;
}
