import {
  type Address,
  ContractFunctionRevertedError,
  type PublicClient,
  BaseError as ViemBaseError,
} from 'viem';
import { ticketBrokerAbi } from './protocolAbis.ts';
import type { Wei } from './wei.ts';

/**
 * `TicketBroker.claimableReserve(reserveHolder, claimant)`, wei: what the claimant may still
 * take from the holder's reserve this round. 0 where the contract reverts (Livepeer's, and ours,
 * underflow once the claimant took more than its share, e.g. after the transcoder pool grew
 * this round): it can claim nothing more until the next round. Other errors (the RPC) throw.
 */
export async function getClaimableReserve(
  client: PublicClient,
  input: { ticketBroker: Address; reserveHolder: Address; claimant: Address },
): Promise<Wei> {
  try {
    return await client.readContract({
      address: input.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'claimableReserve',
      args: [input.reserveHolder, input.claimant],
    });
  } catch (error) {
    const reverted =
      error instanceof ViemBaseError &&
      error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) return 0n;
    throw error;
  }
}
