import { type Address, ContractFunctionRevertedError, BaseError as ViemBaseError } from 'viem';
import { readContract } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetClaimableReserveParameters = {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  reserveHolder: Address;
  claimant: Address;
};

export type GetClaimableReserveReturnType = Wei;

/**
 * `TicketBroker.claimableReserve(reserveHolder, claimant)`, wei: what the claimant may still
 * take from the holder's reserve this round. 0 where the contract reverts (Livepeer's, and ours,
 * underflow once the claimant took more than its share, e.g. after the transcoder pool grew
 * this round): it can claim nothing more until the next round. Other errors (the RPC) throw.
 */
export async function getClaimableReserve(
  client: ProtocolReadClient,
  parameters: GetClaimableReserveParameters,
): Promise<GetClaimableReserveReturnType> {
  try {
    return await readContract(client, {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'claimableReserve',
      args: [parameters.reserveHolder, parameters.claimant],
    });
  } catch (error) {
    const reverted =
      error instanceof ViemBaseError &&
      error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) return 0n;
    throw error;
  }
}
