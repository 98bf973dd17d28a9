import {
  bondingManagerAbi,
  type ProtocolAddresses,
  resolveProtocolAddresses,
  serviceRegistryAbi,
  type Wei,
} from '@peerframe/protocol';
import { type Address, createPublicClient, http, type PublicClient, zeroAddress } from 'viem';

/** An orchestrator as the chain lists it. */
export type OnChainOrchestrator = {
  address: Address;
  /** Its ServiceRegistry URI: where its HTTP API answers. */
  serviceUri: string;
  /** Its total bonded stake (own and delegated), LPT wei. */
  stakeWei: Wei;
};

export type ChainDiscoveryOptions = {
  /** JSON-RPC URL of the chain (a local anvil, or Arbitrum One). */
  rpcUrl: string;
  /** The protocol's Controller; the other contracts are resolved through it. */
  controller: Address;
};

/** Reads the chain's active orchestrators: the BondingManager's pool, each with its service URI and stake. */
export class ChainDiscovery {
  readonly #client: PublicClient;
  readonly #controller: Address;
  #addresses: ProtocolAddresses | undefined;

  constructor(options: ChainDiscoveryOptions) {
    this.#client = createPublicClient({ transport: http(options.rpcUrl) });
    this.#controller = options.controller;
  }

  /**
   * The active set (in pool order), skipping orchestrators without a valid http(s) service URI.
   * At most `limit` entries (the pool is bounded on chain too).
   */
  async discover(limit = 100): Promise<OnChainOrchestrator[]> {
    const client = this.#client;
    this.#addresses ??= await resolveProtocolAddresses({ client, controller: this.#controller });
    const { bondingManager, serviceRegistry } = this.#addresses;
    const found: OnChainOrchestrator[] = [];
    let address = await client.readContract({
      address: bondingManager,
      abi: bondingManagerAbi,
      functionName: 'getFirstTranscoderInPool',
    });
    for (let i = 0; i < limit && address !== zeroAddress; i++) {
      const [serviceUri, stakeWei] = await Promise.all([
        client.readContract({
          address: serviceRegistry,
          abi: serviceRegistryAbi,
          functionName: 'getServiceURI',
          args: [address],
        }),
        client.readContract({
          address: bondingManager,
          abi: bondingManagerAbi,
          functionName: 'transcoderTotalStake',
          args: [address],
        }),
      ]);
      if (isHttpUrl(serviceUri))
        found.push({ address, serviceUri: serviceUri.replace(/\/$/, ''), stakeWei });
      address = await client.readContract({
        address: bondingManager,
        abi: bondingManagerAbi,
        functionName: 'getNextTranscoderInPool',
        args: [address],
      });
    }
    return found;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
