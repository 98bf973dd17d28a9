import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetTreasuryRewardCutParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
};

export type GetTreasuryRewardCutReturnType = {
  /** Share of each `reward()` minted to the Treasury this round, scaled by 1e27 (1e26 = 10 %). */
  cutRate: bigint;
  /** The share from the next round on (what governance set last), scaled by 1e27. */
  nextRoundCutRate: bigint;
  /** Treasury LPT balance at which contributions stop; 0 for no ceiling. */
  balanceCeilingWei: Wei;
};

/**
 * The Treasury's cut of rewards, as the BondingManager holds it: `treasuryRewardCutRate`,
 * `nextRoundTreasuryRewardCutRate` and `treasuryBalanceCeiling` (at `blockNumber` when given).
 */
export async function getTreasuryRewardCut(
  client: ProtocolReadClient,
  parameters: GetTreasuryRewardCutParameters,
): Promise<GetTreasuryRewardCutReturnType> {
  const at = {
    address: parameters.addresses.bondingManager,
    abi: bondingManagerAbi,
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  } as const;
  const [cutRate, nextRoundCutRate, balanceCeilingWei] = await Promise.all([
    readContract(client, { ...at, functionName: 'treasuryRewardCutRate' }),
    readContract(client, { ...at, functionName: 'nextRoundTreasuryRewardCutRate' }),
    readContract(client, { ...at, functionName: 'treasuryBalanceCeiling' }),
  ]);
  return { cutRate, nextRoundCutRate, balanceCeilingWei };
}
