import { livepeerTokenAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type ApproveBondingManagerParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'livepeerToken' | 'bondingManager'>;
  /** LPT (wei) the BondingManager may take from the client's balance. */
  amountWei: Wei;
};

export type ApproveBondingManagerReturnType = ProtocolWriteReturnType;

/** `LivepeerToken.approve(bondingManager, amount)`: lets `bond` take the client's LPT. */
export async function approveBondingManager(
  client: ProtocolWriteClient,
  parameters: ApproveBondingManagerParameters,
): Promise<ApproveBondingManagerReturnType> {
  const { livepeerToken, bondingManager } = parameters.addresses;
  const receipt = await writeProtocolContract(
    client,
    {
      address: livepeerToken,
      abi: livepeerTokenAbi,
      functionName: 'approve',
      args: [bondingManager, parameters.amountWei],
    },
    parameters,
  );
  return { receipt };
}
