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
  return readRound(client, parameters, 'currentRound');
}

/**
 * `RoundsManager.lastInitializedRound`: the current round once someone initialised it, the one
 * before (or older) until then. Only an initialised round has a block hash, so ticket params name
 * this one (as go-livepeer's do): a ticket of a round without one never redeems.
 */
export function getLastInitializedRound(
  client: ProtocolReadClient,
  parameters: GetCurrentRoundParameters,
): Promise<GetCurrentRoundReturnType> {
  return readRound(client, parameters, 'lastInitializedRound');
}

function readRound(
  client: ProtocolReadClient,
  parameters: GetCurrentRoundParameters,
  functionName: 'currentRound' | 'lastInitializedRound',
): Promise<bigint> {
  return readContract(client, {
    address: parameters.addresses.roundsManager,
    abi: roundsManagerAbi,
    functionName,
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
}
