import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetTranscoderParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  transcoder: Address;
};

export type GetTranscoderReturnType = {
  /** Bonded to itself with a stake: an orchestrator. */
  registered: boolean;
  /** In the active set this round. */
  active: boolean;
  /** Share of rewards it keeps, ppm. */
  rewardCutPpm: bigint;
  /** Share of fees its delegators get, ppm. */
  feeSharePpm: bigint;
  /** The last round it called `reward()`. */
  lastRewardRound: bigint;
  /** Its own stake and its delegators', LPT. */
  totalStakeWei: Wei;
};

/**
 * An orchestrator as the BondingManager sees it: `isRegisteredTranscoder`,
 * `isActiveTranscoder`, `getTranscoder` and `transcoderTotalStake`, read at one block.
 */
export async function getTranscoder(
  client: ProtocolReadClient,
  parameters: GetTranscoderParameters,
): Promise<GetTranscoderReturnType> {
  const who = parameters.transcoder;
  const at = parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber };
  const address = parameters.addresses.bondingManager;
  const abi = bondingManagerAbi;
  const [registered, active, transcoder, totalStakeWei] = await Promise.all([
    readContract(client, {
      address,
      abi,
      functionName: 'isRegisteredTranscoder',
      args: [who],
      ...at,
    }),
    readContract(client, { address, abi, functionName: 'isActiveTranscoder', args: [who], ...at }),
    readContract(client, { address, abi, functionName: 'getTranscoder', args: [who], ...at }),
    readContract(client, {
      address,
      abi,
      functionName: 'transcoderTotalStake',
      args: [who],
      ...at,
    }),
  ]);
  const [lastRewardRound, rewardCutPpm, feeSharePpm] = transcoder;
  return { registered, active, rewardCutPpm, feeSharePpm, lastRewardRound, totalStakeWei };
}
