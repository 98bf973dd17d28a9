import type { Hash, TransactionReceipt } from 'viem';
import { waitForTransactionReceipt } from 'viem/actions';
import { TransactionRevertedError } from '../errors.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

/**
 * Waits for a transaction's receipt; throws `TransactionRevertedError` naming `description`
 * unless it succeeded. Every write action ends with it.
 */
export async function confirmTransaction(
  client: ProtocolReadClient,
  parameters: { hash: Hash; description: string; timeoutMs?: number | undefined },
): Promise<TransactionReceipt> {
  const receipt = await waitForTransactionReceipt(client, {
    hash: parameters.hash,
    ...(parameters.timeoutMs === undefined ? {} : { timeout: parameters.timeoutMs }),
  });
  if (receipt.status !== 'success') {
    throw new TransactionRevertedError(parameters.description, parameters.hash);
  }
  return receipt;
}
