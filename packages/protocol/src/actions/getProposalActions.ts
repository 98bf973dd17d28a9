import type { Address, BlockNumber, Client } from 'viem';
import { getLogs } from 'viem/actions';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProposalActions } from './getProposalId.ts';

const proposalCreated = livepeerGovernorAbi.find(
  (item) => item.type === 'event' && item.name === 'ProposalCreated',
);

/**
 * A proposal's calls and description, from the governor's `ProposalCreated` event (what queue and
 * execute need besides the id). Reads the governor's logs from `fromBlock` (default 0: on a
 * long chain, pass a block before the proposal). Undefined when no such proposal was made.
 */
export async function getProposalActions(
  client: Client,
  parameters: { governor: Address; proposalId: bigint; fromBlock?: BlockNumber | undefined },
): Promise<ProposalActions | undefined> {
  if (proposalCreated?.type !== 'event') throw new Error('no ProposalCreated');
  const logs = await getLogs(client, {
    address: parameters.governor,
    event: proposalCreated,
    fromBlock: parameters.fromBlock ?? 0n,
    toBlock: 'latest',
  });
  const log = logs.find((entry) => entry.args.proposalId === parameters.proposalId);
  if (!log) return undefined;
  const { targets = [], values = [], calldatas = [], description = '' } = log.args;
  return { targets, values, calldatas, description };
}
