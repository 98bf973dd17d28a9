import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

/** Vote choices, as the governor numbers them. */
export const voteSupport = { against: 0, for: 1, abstain: 2 } as const;
export type VoteChoice = keyof typeof voteSupport;

export type CastVoteParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'livepeerGovernor'>;
  proposalId: bigint;
  support: VoteChoice;
  /** Recorded in the VoteCast event when given. */
  reason?: string | undefined;
};

export type CastVoteReturnType = ProtocolWriteReturnType & {
  /** The votes it cast: the client's stake at the proposal's snapshot round, LPT. */
  weightWei: Wei;
};

/**
 * `LivepeerGovernor.castVote` (`castVoteWithReason` with a reason): votes with the client's stake
 * at the proposal's snapshot round. An orchestrator votes its delegated stake; a delegator's vote
 * overrides its orchestrator's for the delegator's own stake.
 */
export async function castVote(
  client: ProtocolWriteClient,
  parameters: CastVoteParameters,
): Promise<CastVoteReturnType> {
  const { proposalId, reason } = parameters;
  const support = voteSupport[parameters.support];
  const address = parameters.addresses.livepeerGovernor;
  const abi = livepeerGovernorAbi;
  const receipt =
    reason === undefined
      ? await writeProtocolContract(
          client,
          { address, abi, functionName: 'castVote', args: [proposalId, support] },
          parameters,
        )
      : await writeProtocolContract(
          client,
          {
            address,
            abi,
            functionName: 'castVoteWithReason',
            args: [proposalId, support, reason],
          },
          parameters,
        );
  return { receipt, weightWei: getReceiptEvent(receipt, abi, 'VoteCast').args.weight };
}
