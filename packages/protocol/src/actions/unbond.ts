import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type UnbondParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** LPT (wei) taken out of the stake. */
  amountWei: Wei;
};

export type UnbondReturnType = ProtocolWriteReturnType & {
  /** The lock `withdrawStake` (or `rebond`) names. */
  unbondingLockId: bigint;
  /** The round from which `withdrawStake` may take the LPT back. */
  withdrawRound: bigint;
};

/** `BondingManager.unbond`: moves `amountWei` of the client's stake into an unbonding lock. */
export async function unbond(
  client: ProtocolWriteClient,
  parameters: UnbondParameters,
): Promise<UnbondReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'unbond',
      args: [parameters.amountWei],
    },
    parameters,
  );
  const { args } = getReceiptEvent(receipt, bondingManagerAbi, 'Unbond');
  return {
    receipt,
    unbondingLockId: args.unbondingLockId,
    withdrawRound: args.withdrawRound,
  };
}
