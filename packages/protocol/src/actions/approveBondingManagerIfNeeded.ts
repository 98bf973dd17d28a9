import { readContract } from 'viem/actions';
import { livepeerTokenAbi } from '../protocolAbis.ts';
import {
  type ApproveBondingManagerParameters,
  approveBondingManager,
} from './approveBondingManager.ts';
import type { ProtocolWriteClient } from './protocolActionTypes.ts';

/**
 * Approves the BondingManager for `amountWei` of the client's LPT unless it may already take
 * that much: what `bond` and `bondWithHint` do first.
 */
export async function approveBondingManagerIfNeeded(
  client: ProtocolWriteClient,
  parameters: ApproveBondingManagerParameters,
): Promise<void> {
  const { addresses, amountWei } = parameters;
  const allowance = await readContract(client, {
    address: addresses.livepeerToken,
    abi: livepeerTokenAbi,
    functionName: 'allowance',
    args: [client.account.address, addresses.bondingManager],
  });
  if (allowance < amountWei) await approveBondingManager(client, parameters);
}
