import { readContract } from 'viem/actions';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

/** OpenZeppelin's ProposalState, by name. */
export const proposalStates = [
  'pending',
  'active',
  'canceled',
  'defeated',
  'succeeded',
  'queued',
  'expired',
  'executed',
] as const;
export type ProposalState = (typeof proposalStates)[number];

export type GetProposalParameters = {
  addresses: Pick<ProtocolAddresses, 'livepeerGovernor'>;
  proposalId: bigint;
};

export type Proposal = {
  state: ProposalState;
  /** Round whose end-of-round stake counts as votes. */
  snapshotRound: bigint;
  /** Last round of the vote. */
  deadlineRound: bigint;
  /** Votes (wei of stake) against, for, abstaining. */
  againstVotesWei: Wei;
  forVotesWei: Wei;
  abstainVotesWei: Wei;
  /** Votes needed (wei of stake): the quorum at the snapshot; 0 until the snapshot round ends. */
  quorumWei: Wei;
  /** Unix time (s) from which a queued proposal can be executed; 0 if not queued. */
  etaSec: bigint;
};

export type GetProposalReturnType = Proposal;

/** Reads a proposal's state, rounds, tally, quorum and timelock eta from the LivepeerGovernor. */
export async function getProposal(
  client: ProtocolReadClient,
  parameters: GetProposalParameters,
): Promise<GetProposalReturnType> {
  const at = { address: parameters.addresses.livepeerGovernor, abi: livepeerGovernorAbi } as const;
  const args = [parameters.proposalId] as const;
  const [state, snapshotRound, deadlineRound, etaSec, votes] = await Promise.all([
    readContract(client, { ...at, functionName: 'state', args }),
    readContract(client, { ...at, functionName: 'proposalSnapshot', args }),
    readContract(client, { ...at, functionName: 'proposalDeadline', args }),
    readContract(client, { ...at, functionName: 'proposalEta', args }),
    readContract(client, { ...at, functionName: 'proposalVotes', args }),
  ]);
  const quorumWei = await readContract(client, {
    ...at,
    functionName: 'quorum',
    args: [snapshotRound],
  }).catch(() => 0n); // before the snapshot round has passed, the quorum is not known yet
  const [againstVotesWei, forVotesWei, abstainVotesWei] = votes;
  const name = proposalStates[state];
  if (!name) throw new RangeError(`Unknown proposal state ${state}`);
  return {
    state: name,
    snapshotRound,
    deadlineRound,
    againstVotesWei,
    forVotesWei,
    abstainVotesWei,
    quorumWei,
    etaSec,
  };
}
