import { readContract } from 'viem/actions';
import { roundsManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetCurrentRoundParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
};

export type GetCurrentRoundReturnType = bigint;

/** `RoundsManager.currentRound`: one read (`getRoundInfo` tells the rest). */
export function getCurrentRound(
  client: ProtocolReadClient,
  parameters: GetCurrentRoundParameters,
): Promise<GetCurrentRoundReturnType> {
  return readContract(client, {
    address: parameters.addresses.roundsManager,
    abi: roundsManagerAbi,
    functionName: 'currentRound',
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
}
