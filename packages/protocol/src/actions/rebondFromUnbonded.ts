import type { Address } from 'viem';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type RebondFromUnbondedParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** The orchestrator the lock is staked to. */
  to: Address;
  /** The lock `unbond` made. */
  unbondingLockId: bigint;
};

export type RebondFromUnbondedReturnType = ProtocolWriteReturnType;

/**
 * `BondingManager.rebondFromUnbonded`: stakes an unbonding lock again, to `to`, for a delegator
 * whose whole stake is unbonded.
 */
export async function rebondFromUnbonded(
  client: ProtocolWriteClient,
  parameters: RebondFromUnbondedParameters,
): Promise<RebondFromUnbondedReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'rebondFromUnbonded',
      args: [parameters.to, parameters.unbondingLockId],
    },
    parameters,
  );
  return { receipt };
}
