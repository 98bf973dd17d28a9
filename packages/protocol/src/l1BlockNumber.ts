import { type Client, hexToBigInt, isHex } from 'viem';
import { getBlock, getBlockNumber, getChainId } from 'viem/actions';

/**
 * Chains whose blocks carry the number of the L1 (Ethereum) block they follow: Arbitrum One
 * (42161) and Arbitrum Sepolia (421614). There Solidity's `block.number`, and so the rounds of
 * Livepeer's RoundsManager, count L1 blocks, and go-livepeer counts ticket expiry in them too.
 */
export const arbitrumChainIds: readonly number[] = [42161, 421614];

/** The block a ticket's expiry counts in on `chainId`: `l1` on Arbitrum, its own elsewhere. */
export function expiryBlockKind(chainId: number): 'l1' | 'own' {
  return arbitrumChainIds.includes(chainId) ? 'l1' : 'own';
}

/**
 * The L1 block number an Arbitrum block header states (its `l1BlockNumber`, hex on the RPC);
 * a `RangeError` when the header has none (the chain is no Arbitrum chain).
 */
export function l1BlockNumberOf(block: object, chainId: number): bigint {
  const value = (block as { l1BlockNumber?: unknown }).l1BlockNumber;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' && isHex(value) && value.length > 2) return hexToBigInt(value);
  throw new RangeError(
    `Chain ${chainId} is an Arbitrum chain but its latest block has no l1BlockNumber: ticket expiry is counted in L1 blocks there`,
  );
}

/**
 * The block number ticket expiry counts in, now: on Arbitrum the L1 block of the latest block
 * (`l1BlockNumber` of its header), elsewhere (anvil) the chain's own block. Recipients issue
 * `expirationBlock` from it and refuse tickets past it; senders refresh params nearing it.
 */
export async function readExpiryBlock(client: Client): Promise<bigint> {
  const chainId = client.chain?.id ?? (await getChainId(client));
  if (expiryBlockKind(chainId) === 'own') return getBlockNumber(client, { cacheTime: 0 });
  return l1BlockNumberOf(await getBlock(client, { blockTag: 'latest' }), chainId);
}
