import type { Account, Address, Chain, Hash, Transport, WalletClient } from 'viem';
import { livepeerGovernorAbi } from '../protocolAbis.ts';

/** Vote choices, as the governor numbers them. */
export const voteSupport = { against: 0, for: 1, abstain: 2 } as const;
export type VoteChoice = keyof typeof voteSupport;

export type CastVoteParameters = {
  governor: Address;
  proposalId: bigint;
  support: VoteChoice;
  /** Recorded in the VoteCast event when given. */
  reason?: string | undefined;
};

/**
 * LivepeerGovernor.castVote (castVoteWithReason with a reason): votes with the caller's stake at
 * the proposal's snapshot round. An orchestrator votes its delegated stake; a delegator's vote
 * overrides its orchestrator's for the delegator's own stake.
 */
export async function castVote(
  client: WalletClient<Transport, Chain | undefined, Account>,
  parameters: CastVoteParameters,
): Promise<Hash> {
  const support = voteSupport[parameters.support];
  const common = {
    address: parameters.governor,
    abi: livepeerGovernorAbi,
    account: client.account,
    chain: client.chain,
  } as const;
  if (parameters.reason !== undefined) {
    return client.writeContract({
      ...common,
      functionName: 'castVoteWithReason',
      args: [parameters.proposalId, support, parameters.reason],
    });
  }
  return client.writeContract({
    ...common,
    functionName: 'castVote',
    args: [parameters.proposalId, support],
  });
}
