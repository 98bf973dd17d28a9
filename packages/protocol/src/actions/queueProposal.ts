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

export type QueueProposalParameters = ProposalActions & { governor: Address };

/**
 * LivepeerGovernor.queue: schedules a succeeded proposal in the Treasury timelock; it can be
 * executed `getMinDelay()` seconds later.
 */
export function queueProposal(
  client: WalletClient<Transport, Chain | undefined, Account>,
  parameters: QueueProposalParameters,
): Promise<Hash> {
  return client.writeContract({
    address: parameters.governor,
    abi: livepeerGovernorAbi,
    functionName: 'queue',
    args: [
      parameters.targets,
      parameters.values,
      parameters.calldatas,
      keccak256(toHex(parameters.description)),
    ],
    account: client.account,
    chain: client.chain,
  });
}
