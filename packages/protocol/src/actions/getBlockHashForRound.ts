import type { Hex } from 'viem';
import { readContract } from 'viem/actions';
import { roundsManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetBlockHashForRoundParameters = {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
  round: bigint;
};

/** The hash (zero for a round not initialised). */
export type GetBlockHashForRoundReturnType = Hex;

/**
 * `RoundsManager.blockHashForRound`: the block hash recorded when the round was initialised,
 * which a ticket's auxData carries with its creation round.
 */
export function getBlockHashForRound(
  client: ProtocolReadClient,
  parameters: GetBlockHashForRoundParameters,
): Promise<GetBlockHashForRoundReturnType> {
  return readContract(client, {
    address: parameters.addresses.roundsManager,
    abi: roundsManagerAbi,
    functionName: 'blockHashForRound',
    args: [parameters.round],
  });
}
