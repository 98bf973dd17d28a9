import { keccak256, toHex } from 'viem';
import { livepeerGovernorAbi } from '../protocolAbis.ts';
import type { ProposeParameters } from './propose.ts';
import type { ProtocolWriteClient, ProtocolWriteReturnType } from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

/** The actions `propose` took, on the same governor. */
export type ExecuteProposalParameters = ProposeParameters;

export type ExecuteProposalReturnType = ProtocolWriteReturnType;

/**
 * `LivepeerGovernor.execute`: runs a queued proposal's calls through the Treasury timelock once
 * its delay has passed; the calls' `values` are sent with the transaction.
 */
export async function executeProposal(
  client: ProtocolWriteClient,
  parameters: ExecuteProposalParameters,
): Promise<ExecuteProposalReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.livepeerGovernor,
      abi: livepeerGovernorAbi,
      functionName: 'execute',
      args: [
        parameters.targets,
        parameters.values,
        parameters.calldatas,
        keccak256(toHex(parameters.description)),
      ],
      value: parameters.values.reduce((sum, value) => sum + value, 0n),
    },
    parameters,
  );
  return { receipt };
}
