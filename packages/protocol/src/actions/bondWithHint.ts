import {
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Transport,
  type WalletClient,
  zeroAddress,
} from 'viem';
import { readContract } from 'viem/actions';
import { bondingManagerAbi } from '../protocolAbis.ts';
import { getPoolPositionHints } from './getPoolPositionHints.ts';

export type BondWithHintParameters = {
  bondingManager: Address;
  /** LPT (wei) to add, pulled from the caller (approve the BondingManager first). */
  amountWei: bigint;
  /** The orchestrator to delegate to (the caller itself to register as one). */
  to: Address;
};

/**
 * BondingManager.bondWithHint, with the pool positions of the new delegate (and of the old one,
 * when the bond moves) computed from the pool first, as go-livepeer does.
 */
export async function bondWithHint(
  client: WalletClient<Transport, Chain | undefined, Account>,
  parameters: BondWithHintParameters,
): Promise<Hash> {
  const { bondingManager, amountWei, to } = parameters;
  const delegator = client.account.address;
  const read = { address: bondingManager, abi: bondingManagerAbi } as const;
  const stakeOf = (transcoder: Address) =>
    readContract(client, { ...read, functionName: 'transcoderTotalStake', args: [transcoder] });
  const [, , currentDelegate] = await readContract(client, {
    ...read,
    functionName: 'getDelegator',
    args: [delegator],
  });
  const moving = currentDelegate !== zeroAddress && currentDelegate !== to;
  const movedWei = moving
    ? await readContract(client, { ...read, functionName: 'pendingStake', args: [delegator, 0n] })
    : 0n;
  const toStake = await stakeOf(to);
  const newHint = await getPoolPositionHints(client, {
    bondingManager,
    transcoder: to,
    stakeWei: toStake + movedWei + amountWei,
  });
  let oldHint = { prev: zeroAddress as Address, next: zeroAddress as Address };
  if (moving) {
    const oldStake = await stakeOf(currentDelegate);
    oldHint = await getPoolPositionHints(client, {
      bondingManager,
      transcoder: currentDelegate,
      stakeWei: oldStake > movedWei ? oldStake - movedWei : 0n,
    });
  }
  return client.writeContract({
    address: bondingManager,
    abi: bondingManagerAbi,
    functionName: 'bondWithHint',
    args: [amountWei, to, oldHint.prev, oldHint.next, newHint.prev, newHint.next],
    account: client.account,
    chain: client.chain,
  });
}
