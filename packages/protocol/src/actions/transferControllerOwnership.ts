import type { Address } from 'viem';
import { controllerAbi } from '../protocolAbis.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type TransferControllerOwnershipParameters = ProtocolWriteParameters & {
  addresses: { controller: Address };
  /** The new owner: the Treasury timelock hands the protocol to governance. */
  newOwner: Address;
};

export type TransferControllerOwnershipReturnType = ProtocolWriteReturnType;

/**
 * `Controller.transferOwnership`: the owner sets every protocol parameter and registers the
 * contracts; given to the Treasury, only a proposal the LivepeerGovernor passed can.
 */
export async function transferControllerOwnership(
  client: ProtocolWriteClient,
  parameters: TransferControllerOwnershipParameters,
): Promise<TransferControllerOwnershipReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.controller,
      abi: controllerAbi,
      functionName: 'transferOwnership',
      args: [parameters.newOwner],
    },
    parameters,
  );
  return { receipt };
}
