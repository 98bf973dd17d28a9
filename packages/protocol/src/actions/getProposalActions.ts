import type { BlockNumber } from 'viem';
import { getContractEvents } from 'viem/actions';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProposalActions } from './getProposalId.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetProposalActionsParameters = {
  addresses: Pick<ProtocolAddresses, 'livepeerGovernor'>;
  proposalId: bigint;
  /** The first block searched (default 0: on a long chain, pass a block before the proposal). */
  fromBlock?: BlockNumber | undefined;
};

/** Undefined when the governor made no such proposal. */
export type GetProposalActionsReturnType = ProposalActions | undefined;

/**
 * A proposal's calls and description, from the governor's `ProposalCreated` event (what queue
 * and execute need besides the id).
 */
export async function getProposalActions(
  client: ProtocolReadClient,
  parameters: GetProposalActionsParameters,
): Promise<GetProposalActionsReturnType> {
  const logs = await getContractEvents(client, {
    address: parameters.addresses.livepeerGovernor,
    abi: livepeerGovernorAbi,
    eventName: 'ProposalCreated',
    fromBlock: parameters.fromBlock ?? 0n,
    toBlock: 'latest',
    strict: true,
  });
  const log = logs.find((entry) => entry.args.proposalId === parameters.proposalId);
  if (!log) return undefined;
  const { targets, values, calldatas, description } = log.args;
  return { targets, values, calldatas, description };
}
