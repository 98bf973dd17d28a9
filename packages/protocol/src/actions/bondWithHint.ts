import { type Address, zeroAddress } from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import { approveBondingManagerIfNeeded } from './approveBondingManagerIfNeeded.ts';
import type { BondParameters, BondReturnType } from './bond.ts';
import { getDelegator } from './getDelegator.ts';
import { getPoolPositionHints, type PoolPositionHint } from './getPoolPositionHints.ts';
import type { ProtocolWriteClient } from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

/** What `bond` takes: the amount, and whom to bond to (by default the client itself). */
export type BondWithHintParameters = BondParameters;

export type BondWithHintReturnType = BondReturnType;

/**
 * `BondingManager.bondWithHint`: `bond`, with the pool positions of the new delegate (and of the
 * old one, when the bond moves) computed from the pool first, as go-livepeer does. When the
 * BondingManager may not take that much of the client's LPT yet, it approves it first.
 */
export async function bondWithHint(
  client: ProtocolWriteClient,
  parameters: BondWithHintParameters,
): Promise<BondWithHintReturnType> {
  const { addresses, amountWei } = parameters;
  const delegate = parameters.to ?? client.account.address;
  const stakeOf = (transcoder: Address) =>
    readContract(client, {
      address: addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'transcoderTotalStake',
      args: [transcoder],
    });
  await approveBondingManagerIfNeeded(client, parameters);
  const current = await getDelegator(client, { addresses, delegator: client.account.address });
  const moving = current.delegate !== zeroAddress && current.delegate !== delegate;
  const movedWei = moving ? current.pendingStakeWei : 0n;
  const newHint = await getPoolPositionHints(client, {
    addresses,
    transcoder: delegate,
    stakeWei: (await stakeOf(delegate)) + movedWei + amountWei,
  });
  let oldHint: PoolPositionHint = { prev: zeroAddress, next: zeroAddress };
  if (moving) {
    const oldStake = await stakeOf(current.delegate);
    oldHint = await getPoolPositionHints(client, {
      addresses,
      transcoder: current.delegate,
      stakeWei: oldStake > movedWei ? oldStake - movedWei : 0n,
    });
  }
  const receipt = await writeProtocolContract(
    client,
    {
      address: addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'bondWithHint',
      args: [amountWei, delegate, oldHint.prev, oldHint.next, newHint.prev, newHint.next],
    },
    parameters,
  );
  return { receipt, delegate };
}
