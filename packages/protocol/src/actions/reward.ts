import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type RewardParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
};

export type RewardReturnType = ProtocolWriteReturnType & {
  /** LPT minted to the orchestrator and its delegators this round. */
  rewardWei: Wei;
};

/**
 * `BondingManager.reward`: mints this round's inflation for the client, an active orchestrator
 * (reverts `caller must be an active transcoder` otherwise); once per round.
 */
export async function reward(
  client: ProtocolWriteClient,
  parameters: RewardParameters,
): Promise<RewardReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'reward',
    },
    parameters,
  );
  return { receipt, rewardWei: getReceiptEvent(receipt, bondingManagerAbi, 'Reward').args.amount };
}
