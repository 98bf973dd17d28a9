import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type RebondParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** The lock `unbond` made. */
  unbondingLockId: bigint;
};

export type RebondReturnType = ProtocolWriteReturnType;

/** `BondingManager.rebond`: stakes an unbonding lock again, to the client's current delegate. */
export async function rebond(
  client: ProtocolWriteClient,
  parameters: RebondParameters,
): Promise<RebondReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'rebond',
      args: [parameters.unbondingLockId],
    },
    parameters,
  );
  return { receipt };
}
