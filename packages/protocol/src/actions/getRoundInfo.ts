import { readContract } from 'viem/actions';
import { roundsManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetRoundInfoParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'roundsManager'>;
};

export type GetRoundInfoReturnType = {
  round: bigint;
  /** Whether `initializeRound` was called for it. */
  initialized: boolean;
  /** Its first block. */
  startBlock: bigint;
  /** Blocks per round. */
  lengthBlocks: bigint;
  /** The lock period at the end of each round, ppm of the round. */
  lockAmountPpm: bigint;
};

/** The RoundsManager's current round, whether it is initialised, where it starts and ends. */
export async function getRoundInfo(
  client: ProtocolReadClient,
  parameters: GetRoundInfoParameters,
): Promise<GetRoundInfoReturnType> {
  const read = <
    const F extends
      | 'currentRound'
      | 'currentRoundInitialized'
      | 'currentRoundStartBlock'
      | 'roundLength'
      | 'roundLockAmount',
  >(
    functionName: F,
  ) =>
    readContract(client, {
      address: parameters.addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName,
      ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
    });
  const [round, initialized, startBlock, lengthBlocks, lockAmountPpm] = await Promise.all([
    read('currentRound'),
    read('currentRoundInitialized'),
    read('currentRoundStartBlock'),
    read('roundLength'),
    read('roundLockAmount'),
  ]);
  return { round, initialized, startBlock, lengthBlocks, lockAmountPpm };
}
