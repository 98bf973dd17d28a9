import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProposalActions } from './getProposalId.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type ProposeParameters = ProtocolWriteParameters &
  ProposalActions & { addresses: Pick<ProtocolAddresses, 'livepeerGovernor'> };

export type ProposeReturnType = ProtocolWriteReturnType & {
  /** The proposal's id (`getProposalId` of its actions). */
  proposalId: bigint;
  /** The round whose end-of-round stake counts as votes. */
  snapshotRound: bigint;
  /** The last round of the vote. */
  deadlineRound: bigint;
};

/**
 * `LivepeerGovernor.propose`: submits a proposal (the proposer needs `proposalThreshold` votes at
 * the previous round). Voting opens `votingDelay` rounds later.
 */
export async function propose(
  client: ProtocolWriteClient,
  parameters: ProposeParameters,
): Promise<ProposeReturnType> {
  const { targets, values, calldatas, description } = parameters;
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.livepeerGovernor,
      abi: livepeerGovernorAbi,
      functionName: 'propose',
      args: [targets, values, calldatas, description],
    },
    parameters,
  );
  const { args } = getReceiptEvent(receipt, livepeerGovernorAbi, 'ProposalCreated');
  return {
    receipt,
    proposalId: args.proposalId,
    snapshotRound: args.voteStart,
    deadlineRound: args.voteEnd,
  };
}
