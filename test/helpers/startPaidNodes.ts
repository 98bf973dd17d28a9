import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GatewayPayments,
  type GatewayPaymentsOptions,
  GatewayServer,
  type GatewayServerOptions,
} from '@peerframe/gateway';
import {
  type OrchestratorPayments,
  OrchestratorServer,
  startOrchestratorPayments,
} from '@peerframe/orchestrator';
import {
  fundDepositAndReserve,
  getSenderInfo,
  type LocalProtocol,
  type LocalProtocolWalletClient,
  parseEth,
  startLocalProtocol,
  type TicketParamsOptions,
  type Wei,
} from '@peerframe/protocol';
import type { OrchestratorView } from '@peerframe/wire';
import { type Address, bytesToHex, type Hex } from 'viem';
import type { HDAccount } from 'viem/accounts';
import { generatePrivateKey } from 'viem/accounts';
import { createRealOffer } from './fuzz/startFuzzStack.ts';

/** What the TicketBroker holds for the gateway. */
export type GatewayFunds = { depositWei: Wei; reserveWei: Wei; withdrawRound: bigint };

export type PaidNodes = {
  chain: LocalProtocol;
  /** The gateway's account (dev account 9): 1 ETH deposit and 1 ETH reserve to start with. */
  gatewayAccount: HDAccount;
  gatewayKey: Hex;
  /** Signs as the gateway's account, e.g. its TicketBroker transactions. */
  gatewayWallet: LocalProtocolWalletClient;
  /** An orchestrator in this process, paid in tickets, on the next free dev account. */
  startOrchestrator(input?: {
    priceWeiPerSecond?: Wei;
    /** The ticket params it issues (a malicious one issues what it likes). */
    ticketParams?: Partial<TicketParamsOptions>;
  }): Promise<{ server: OrchestratorServer; payments: OrchestratorPayments; address: Address }>;
  /**
   * A gateway in this process paying with the gateway's key, to these orchestrators; `server`
   * options (e.g. a longer `publisherConnectTimeoutMs`, to keep a stream whose publisher never
   * connects paying, or another SFU) go to its `GatewayServer`.
   */
  startGateway(
    orchestrators: string[],
    options?: Partial<GatewayPaymentsOptions>,
    server?: Pick<GatewayServerOptions, 'publisherConnectTimeoutMs' | 'sfu'>,
  ): Promise<{ gateway: GatewayServer; payments: GatewayPayments }>;
  /** The gateway's deposit, reserve and withdraw round, read from the chain now. */
  gatewayFunds(): Promise<GatewayFunds>;
  /**
   * `POST /whip?pipeline=passthrough` on a gateway with an offer from a peer that never
   * connects: the status, the stream's id when created, the error body otherwise.
   */
  publish(gatewayUrl: string): Promise<{
    status: number;
    streamId: string | undefined;
    error: { code: string; message: string } | undefined;
  }>;
  /** `GET /orchestrators` of a gateway. */
  orchestratorsOf(gatewayUrl: string): Promise<OrchestratorView[]>;
  /** Closes every node, then anvil. */
  close(): Promise<void>;
};

const gatewayIndex = 9;

/**
 * A real chain (anvil, protocol deployed), orchestrators that charge and gateways that pay them,
 * all in this process so a test can look at each side's state: what the orchestrators credited,
 * what the gateway's pool thinks of them, what the TicketBroker holds.
 */
export async function startPaidNodes(): Promise<PaidNodes> {
  const chain = await startLocalProtocol();
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-paid-nodes-'));
  const closers: (() => Promise<void>)[] = [];
  const account = (i: number): HDAccount => {
    const found = chain.accounts[i];
    if (!found) throw new Error(`no dev account ${i}`);
    return found;
  };
  const keyOf = (i: number): Hex => bytesToHex(account(i).getHdKey().privateKey as Uint8Array);
  const gatewayAccount = account(gatewayIndex);
  const gatewayWallet = chain.walletClient(gatewayAccount);
  try {
    await fundDepositAndReserve(gatewayWallet, {
      addresses: chain.addresses,
      depositWei: parseEth('1'),
      reserveWei: parseEth('1'),
    });
  } catch (error) {
    await chain.close();
    throw error;
  }
  let orchestrators = 0;
  return {
    chain,
    gatewayAccount,
    gatewayKey: keyOf(gatewayIndex),
    gatewayWallet,
    async startOrchestrator(input = {}) {
      orchestrators++;
      const index = orchestrators;
      const payments = await startOrchestratorPayments({
        rpcUrl: chain.rpcUrl,
        controller: chain.addresses.controller,
        privateKey: keyOf(index),
        secret: generatePrivateKey(),
        databasePath: join(dir, `orchestrator-${index}.sqlite`),
        payments: { priceWeiPerSecond: input.priceWeiPerSecond ?? 100_000_000_000n },
        ticketParams: input.ticketParams,
      });
      const server = await OrchestratorServer.create({ payments });
      closers.push(() => server.close());
      return { server, payments, address: account(index).address };
    },
    async startGateway(urls, options = {}, server = {}) {
      const payments = await GatewayPayments.create({
        rpcUrl: chain.rpcUrl,
        controller: chain.addresses.controller,
        privateKey: keyOf(gatewayIndex),
        options,
      });
      const gateway = await GatewayServer.create({ ...server, orchestrators: urls, payments });
      closers.push(() => gateway.close());
      return { gateway, payments };
    },
    async gatewayFunds() {
      const { depositWei, reserveWei, withdrawRound } = await getSenderInfo(chain.publicClient, {
        addresses: chain.addresses,
        sender: gatewayAccount.address,
      });
      return { depositWei, reserveWei, withdrawRound };
    },
    async publish(gatewayUrl) {
      const res = await fetch(`${gatewayUrl}/whip?pipeline=passthrough`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: await createRealOffer(),
      });
      const error = res.ok
        ? undefined
        : ((await res.json()) as { error: { code: string; message: string } }).error;
      const location = res.headers.get('location');
      return { status: res.status, streamId: location?.split('/').pop(), error };
    },
    async orchestratorsOf(gatewayUrl) {
      const res = await fetch(`${gatewayUrl}/orchestrators`);
      return ((await res.json()) as { orchestrators: OrchestratorView[] }).orchestrators;
    },
    async close() {
      // Gateways first (they end their streams on the orchestrators), then orchestrators.
      for (const close of closers.reverse()) await close();
      await chain.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
