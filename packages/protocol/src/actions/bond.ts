import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi, livepeerTokenAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { approveBondingManager } from './approveBondingManager.ts';
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
  const allowance = await readContract(client, {
    address: addresses.livepeerToken,
    abi: livepeerTokenAbi,
    functionName: 'allowance',
    args: [client.account.address, addresses.bondingManager],
  });
  if (allowance < amountWei) await approveBondingManager(client, parameters);
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
