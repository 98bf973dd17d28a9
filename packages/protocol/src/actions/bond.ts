import type { Address } from 'viem';
import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { approveBondingManagerIfNeeded } from './approveBondingManagerIfNeeded.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type BondParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'livepeerToken' | 'bondingManager'>;
  /** LPT (wei) to add to the stake. */
  amountWei: Wei;
  /** The orchestrator staked to (default: the client's own address). */
  to?: Address | undefined;
};

export type BondReturnType = ProtocolWriteReturnType & {
  /** Who the stake is bonded to. */
  delegate: Address;
};

/**
 * `BondingManager.bond`: stakes `amountWei` LPT to an orchestrator (default: the client itself).
 * When the BondingManager may not take that much of the client's LPT yet, it approves it first.
 */
export async function bond(
  client: ProtocolWriteClient,
  parameters: BondParameters,
): Promise<BondReturnType> {
  const { addresses, amountWei } = parameters;
  const delegate = parameters.to ?? client.account.address;
  await approveBondingManagerIfNeeded(client, parameters);
  const receipt = await writeProtocolContract(
    client,
    {
      address: addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'bond',
      args: [amountWei, delegate],
    },
    parameters,
  );
  return { receipt, delegate };
}
