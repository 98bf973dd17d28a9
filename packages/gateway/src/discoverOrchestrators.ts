import {
  getServiceUri,
  getTranscoderPool,
  type ProtocolAddresses,
  resolveProtocolAddresses,
  type Wei,
} from '@peerframe/protocol';
import { type Address, createPublicClient, http, type PublicClient } from 'viem';

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
    this.#addresses ??= await resolveProtocolAddresses(client, { controller: this.#controller });
    const addresses = this.#addresses;
    const pool = await getTranscoderPool(client, { addresses, limit });
    const listed = await Promise.all(
      pool.map(async ({ address, totalStakeWei }) => ({
        address,
        serviceUri: await getServiceUri(client, { addresses, orchestrator: address }),
        stakeWei: totalStakeWei,
      })),
    );
    return listed
      .filter((orchestrator) => isHttpUrl(orchestrator.serviceUri))
      .map((orchestrator) => ({
        ...orchestrator,
        serviceUri: orchestrator.serviceUri.replace(/\/$/, ''),
      }));
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
