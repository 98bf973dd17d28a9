import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type WithdrawStakeParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** The lock `unbond` made. */
  unbondingLockId: bigint;
};

export type WithdrawStakeReturnType = ProtocolWriteReturnType;

/**
 * `BondingManager.withdrawStake`: the LPT of an unbonding lock back to the client, once the
 * unbonding period has passed.
 */
export async function withdrawStake(
  client: ProtocolWriteClient,
  parameters: WithdrawStakeParameters,
): Promise<WithdrawStakeReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'withdrawStake',
      args: [parameters.unbondingLockId],
    },
    parameters,
  );
  return { receipt };
}
