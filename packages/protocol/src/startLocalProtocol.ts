import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';
import { type DeployProtocolOptions, deployProtocol } from './deployProtocol.ts';
import type { ProtocolAddresses } from './protocolAddresses.ts';
import { type Anvil, type StartAnvilOptions, startAnvil } from './startAnvil.ts';

/** anvil's default mnemonic: its dev accounts, each funded with 10 000 ETH. */
export const anvilMnemonic = 'test test test test test test test test test test test junk';

export type LocalProtocolWalletClient = WalletClient<Transport, Chain, Account>;

export type LocalProtocol = {
  anvil: Anvil;
  rpcUrl: string;
  chain: Chain;
  addresses: ProtocolAddresses;
  publicClient: PublicClient;
  testClient: TestClient;
  /** anvil's dev accounts; accounts[0] deployed the protocol and owns the Controller and token. */
  accounts: HDAccount[];
  /** A wallet client signing as `account` (default accounts[0]). */
  walletClient(account?: Account): LocalProtocolWalletClient;
  /** evm_snapshot of the chain now. */
  snapshot(): Promise<Hex>;
  /** Back to a snapshot (consumed) and takes a new one of the same state, returned. */
  revert(snapshotId: Hex): Promise<Hex>;
  /** Stops anvil; idempotent. */
  close(): Promise<void>;
};

/**
 * Starts anvil, deploys the protocol with accounts[0] and returns clients for it: one call for
 * tests and local development.
 */
export async function startLocalProtocol(
  options: {
    anvil?: StartAnvilOptions | undefined;
    deploy?: Partial<DeployProtocolOptions> | undefined;
    /** Client polling interval. Default 50 ms. */
    pollingIntervalMs?: number | undefined;
  } = {},
): Promise<LocalProtocol> {
  const anvil = await startAnvil(options.anvil);
  try {
    const chain = defineChain({
      id: options.anvil?.chainId ?? 31337,
      name: 'Anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [anvil.rpcUrl] } },
    });
    const pollingInterval = options.pollingIntervalMs ?? 50;
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain, transport, pollingInterval, cacheTime: 0 });
    const testClient = createTestClient({ chain, transport, mode: 'anvil', pollingInterval });
    const accounts = Array.from({ length: options.anvil?.accounts ?? 10 }, (_, addressIndex) =>
      mnemonicToAccount(anvilMnemonic, { addressIndex }),
    );
    const walletClients = new Map<string, LocalProtocolWalletClient>();
    const walletClient = (account: Account = accounts[0] as HDAccount) => {
      let client = walletClients.get(account.address);
      if (!client) {
        client = createWalletClient({ account, chain, transport, pollingInterval, cacheTime: 0 });
        walletClients.set(account.address, client);
      }
      return client;
    };
    const addresses = await deployProtocol({
      walletClient: walletClient(),
      publicClient,
      options: options.deploy,
    });
    return {
      anvil,
      rpcUrl: anvil.rpcUrl,
      chain,
      addresses,
      publicClient,
      testClient,
      accounts,
      walletClient,
      snapshot: () => testClient.snapshot(),
      async revert(snapshotId) {
        await testClient.revert({ id: snapshotId });
        return testClient.snapshot();
      },
      close: () => anvil.close(),
    };
  } catch (error) {
    await anvil.close();
    throw error;
  }
}
