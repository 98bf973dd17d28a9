import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import { getCurrentRound } from './getCurrentRound.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type ClaimEarningsParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager' | 'roundsManager'>;
  /** The last round claimed (default: the current round). */
  endRound?: bigint | undefined;
};

export type ClaimEarningsReturnType = ProtocolWriteReturnType & {
  /** The round passed to the contract. */
  endRound: bigint;
};

/**
 * `BondingManager.claimEarnings`: settles the client's rewards and fees into its stake and fees
 * through `endRound` (the contract settles through the last complete round).
 */
export async function claimEarnings(
  client: ProtocolWriteClient,
  parameters: ClaimEarningsParameters,
): Promise<ClaimEarningsReturnType> {
  const { addresses } = parameters;
  const endRound = parameters.endRound ?? (await getCurrentRound(client, { addresses }));
  const receipt = await writeProtocolContract(
    client,
    {
      address: addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'claimEarnings',
      args: [endRound],
    },
    parameters,
  );
  return { receipt, endRound };
}
