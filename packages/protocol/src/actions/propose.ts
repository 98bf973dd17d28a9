import type { Account, Address, Chain, Hash, Transport, WalletClient } from 'viem';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import { getProposalId, type ProposalActions } from './getProposalId.ts';

export type ProposeParameters = ProposalActions & { governor: Address };
export type ProposeReturnType = { hash: Hash; proposalId: bigint };

/**
 * LivepeerGovernor.propose: submits a proposal (the proposer needs `proposalThreshold` votes at
 * the previous round). Voting opens `votingDelay` rounds later. Returns the transaction hash and
 * the proposal id.
 */
export async function propose(
  client: WalletClient<Transport, Chain | undefined, Account>,
  parameters: ProposeParameters,
): Promise<ProposeReturnType> {
  const { governor, ...actions } = parameters;
  const hash = await client.writeContract({
    address: governor,
    abi: livepeerGovernorAbi,
    functionName: 'propose',
    args: [actions.targets, actions.values, actions.calldatas, actions.description],
    account: client.account,
    chain: client.chain,
  });
  return { hash, proposalId: getProposalId(actions) };
}
