import { roundsManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type InitializeRoundParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
};

export type InitializeRoundReturnType = ProtocolWriteReturnType & {
  /** The round it initialised. */
  round: bigint;
};

/**
 * `RoundsManager.initializeRound`: starts the current round (anyone may, once per round;
 * reverts `round already initialized` after). Tickets of an uninitialised round cannot be
 * redeemed, and a round's ticket params need its block hash.
 */
export async function initializeRound(
  client: ProtocolWriteClient,
  parameters: InitializeRoundParameters,
): Promise<InitializeRoundReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName: 'initializeRound',
    },
    parameters,
  );
  return { receipt, round: getReceiptEvent(receipt, roundsManagerAbi, 'NewRound').args.round };
}
