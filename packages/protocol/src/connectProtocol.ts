import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { resolveProtocolAddresses } from './actions/resolveProtocolAddresses.ts';
import { arbitrumOneProtocol, type ProtocolAddresses } from './protocolAddresses.ts';
import { sendNonces } from './sendNonces.ts';

export type ProtocolConnection = {
  chain: Chain;
  publicClient: PublicClient;
  /** Signs as the key's account. */
  walletClient: WalletClient<Transport, Chain, Account>;
  account: PrivateKeyAccount;
  addresses: ProtocolAddresses;
};

/**
 * Clients for the protocol on any chain from an RPC URL and a key: the chain id is read from the
 * node, the contracts are resolved through the Controller (Livepeer's on Arbitrum One when none
 * is given and the chain is 42161).
 */
export async function connectProtocol(input: {
  rpcUrl: string;
  privateKey: Hex;
  controller?: Address | undefined;
  /** Client polling interval, ms (default 250). */
  pollingIntervalMs?: number | undefined;
  /**
   * Per-request timeout, ms (default 3 000), with one retry: a node must notice an unreachable
   * chain in seconds and carry on from what it last read, not hang on it.
   */
  requestTimeoutMs?: number | undefined;
}): Promise<ProtocolConnection> {
  const transport = http(input.rpcUrl, {
    timeout: input.requestTimeoutMs ?? 3_000,
    retryCount: 1,
  });
  const probe = createPublicClient({ transport });
  const chainId = await probe.getChainId();
  const controller =
    input.controller ??
    (chainId === arbitrumOneProtocol.chainId ? arbitrumOneProtocol.controller : undefined);
  if (!controller) {
    throw new RangeError(`Chain ${chainId} has no known Controller: pass its address`);
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [input.rpcUrl] } },
  });
  const pollingInterval = input.pollingIntervalMs ?? 250;
  const publicClient = createPublicClient({ chain, transport, pollingInterval, cacheTime: 0 });
  // An orchestrator's redemptions and its round service send from this account at once.
  const account = privateKeyToAccount(input.privateKey, { nonceManager: sendNonces() });
  const walletClient = createWalletClient({ account, chain, transport, pollingInterval });
  const addresses = await resolveProtocolAddresses(publicClient, { controller });
  return { chain, publicClient, walletClient, account, addresses };
}
