import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetDelegatorParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  delegator: Address;
};

/** `BondingManager.delegatorStatus`, by name. */
export type DelegatorStatus = 'Pending' | 'Bonded' | 'Unbonded';
const delegatorStatuses: readonly DelegatorStatus[] = ['Pending', 'Bonded', 'Unbonded'];

export type GetDelegatorReturnType = {
  status: DelegatorStatus;
  /** LPT bonded as of its last claim. */
  bondedWei: Wei;
  /** ETH fees claimed and not withdrawn. */
  feesWei: Wei;
  /** The orchestrator it is bonded to (the zero address when none). */
  delegate: Address;
  /** Its stake with the rewards not claimed yet. */
  pendingStakeWei: Wei;
  /** Its fees with those not claimed yet. */
  pendingFeesWei: Wei;
};

/**
 * A delegator's (or an orchestrator's own) stake: `getDelegator`, `delegatorStatus`,
 * `pendingStake` and `pendingFees` of the BondingManager, read at one block.
 */
export async function getDelegator(
  client: ProtocolReadClient,
  parameters: GetDelegatorParameters,
): Promise<GetDelegatorReturnType> {
  const who = parameters.delegator;
  const at = parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber };
  const address = parameters.addresses.bondingManager;
  const abi = bondingManagerAbi;
  const [delegator, status, pendingStakeWei, pendingFeesWei] = await Promise.all([
    readContract(client, { address, abi, functionName: 'getDelegator', args: [who], ...at }),
    readContract(client, { address, abi, functionName: 'delegatorStatus', args: [who], ...at }),
    readContract(client, { address, abi, functionName: 'pendingStake', args: [who, 0n], ...at }),
    readContract(client, { address, abi, functionName: 'pendingFees', args: [who, 0n], ...at }),
  ]);
  const [bondedWei, feesWei, delegate] = delegator;
  return {
    status: delegatorStatuses[status] ?? 'Unbonded',
    bondedWei,
    feesWei,
    delegate,
    pendingStakeWei,
    pendingFeesWei,
  };
}
