import type { Address } from 'viem';
import { livepeerTokenAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type MintLptParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'livepeerToken'>;
  to: Address;
  amountWei: Wei;
};

export type MintLptReturnType = ProtocolWriteReturnType;

/**
 * `LivepeerToken.mint`: new LPT for `to`. Only the token's owner (the deployer of a local chain)
 * and the Minter may: on a local chain, how accounts get LPT to bond.
 */
export async function mintLpt(
  client: ProtocolWriteClient,
  parameters: MintLptParameters,
): Promise<MintLptReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.livepeerToken,
      abi: livepeerTokenAbi,
      functionName: 'mint',
      args: [parameters.to, parameters.amountWei],
    },
    parameters,
  );
  return { receipt };
}
