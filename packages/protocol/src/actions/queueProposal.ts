import { keccak256, toHex } from 'viem';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type { ProposeParameters } from './propose.ts';
import type { ProtocolWriteClient, ProtocolWriteReturnType } from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

/** The actions `propose` took, on the same governor. */
export type QueueProposalParameters = ProposeParameters;

export type QueueProposalReturnType = ProtocolWriteReturnType & {
  /** Unix time (s) from which it can be executed. */
  etaSec: bigint;
};

/**
 * `LivepeerGovernor.queue`: schedules a succeeded proposal in the Treasury timelock; it can be
 * executed `getMinDelay()` seconds later.
 */
export async function queueProposal(
  client: ProtocolWriteClient,
  parameters: QueueProposalParameters,
): Promise<QueueProposalReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.livepeerGovernor,
      abi: livepeerGovernorAbi,
      functionName: 'queue',
      args: [
        parameters.targets,
        parameters.values,
        parameters.calldatas,
        keccak256(toHex(parameters.description)),
      ],
    },
    parameters,
  );
  const { eta } = getReceiptEvent(receipt, livepeerGovernorAbi, 'ProposalQueued').args;
  return { receipt, etaSec: eta };
}
