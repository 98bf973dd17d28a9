import type {
  Abi,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  TransactionReceipt,
  WriteContractParameters,
} from 'viem';
import { writeContract } from 'viem/actions';
import { confirmTransaction } from './confirmTransaction.ts';
import type { ProtocolWriteClient, ProtocolWriteParameters } from './protocolActionTypes.ts';

type Mutability = 'nonpayable' | 'payable';

/**
 * What every write action does: sends `functionName` of the contract at `address` as the
 * client's account, waits for the receipt and throws `TransactionRevertedError` unless it
 * succeeded. A call the chain refuses before it is sent (gas estimation reverts) throws viem's
 * error, whose `ContractFunctionRevertedError` carries the reason.
 */
export async function writeProtocolContract<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, Mutability>,
  const args extends ContractFunctionArgs<abi, Mutability, functionName>,
>(
  client: ProtocolWriteClient,
  request: {
    address: Address;
    abi: abi;
    functionName: functionName;
    args?: args | undefined;
    value?: bigint | undefined;
  },
  parameters: ProtocolWriteParameters,
): Promise<TransactionReceipt> {
  const hash = await writeContract(client, {
    ...request,
    account: client.account,
    chain: client.chain,
  } as WriteContractParameters);
  return confirmTransaction(client, {
    hash,
    description: request.functionName,
    timeoutMs: parameters.receiptTimeoutMs,
  });
}
