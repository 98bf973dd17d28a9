import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { livepeerTokenAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetLptBalanceParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'livepeerToken'>;
  account: Address;
};

/** LPT, wei. */
export type GetLptBalanceReturnType = Wei;

/** `LivepeerToken.balanceOf`: the LPT an account holds (not what it bonded). */
export function getLptBalance(
  client: ProtocolReadClient,
  parameters: GetLptBalanceParameters,
): Promise<GetLptBalanceReturnType> {
  return readContract(client, {
    address: parameters.addresses.livepeerToken,
    abi: livepeerTokenAbi,
    functionName: 'balanceOf',
    args: [parameters.account],
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
}
