import {
  type Account,
  type Address,
  type Chain,
  type Hash,
  keccak256,
  type Transport,
  toHex,
  type WalletClient,
} from 'viem';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProposalActions } from './getProposalId.ts';

export type ExecuteProposalParameters = ProposalActions & { governor: Address };

/**
 * LivepeerGovernor.execute: runs a queued proposal's calls through the Treasury timelock once its
 * delay has passed; the calls' `values` are sent with the transaction.
 */
export function executeProposal(
  client: WalletClient<Transport, Chain | undefined, Account>,
  parameters: ExecuteProposalParameters,
): Promise<Hash> {
  return client.writeContract({
    address: parameters.governor,
    abi: livepeerGovernorAbi,
    functionName: 'execute',
    args: [
      parameters.targets,
      parameters.values,
      parameters.calldatas,
      keccak256(toHex(parameters.description)),
    ],
    value: parameters.values.reduce((sum, value) => sum + value, 0n),
    account: client.account,
    chain: client.chain,
  });
}
