import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DelayingPipeline,
  OrchestratorServer,
  type OrchestratorServerOptions,
  type StartOrchestratorPaymentsOptions,
  startOrchestratorPayments,
} from '@peerframe/orchestrator';
import {
  advanceRound,
  decodeTicketParams,
  encodePayment,
  fundDepositAndReserve,
  type LocalProtocol,
  parseEth,
  setupOrchestrator,
  startLocalProtocol,
  type TicketParams,
  type TicketSender,
} from '@peerframe/protocol';
import {
  errorOfBody,
  type PaymentJson,
  parseOrchestratorInfo,
  parseOrchestratorSessionView,
} from '@peerframe/wire';
import { bytesToHex, type Hex } from 'viem';
import { generatePrivateKey, type HDAccount } from 'viem/accounts';
import { openConnectedSession } from './fuzz/startFuzzStack.ts';

/**
 * A real chain (anvil, the protocol deployed, one orchestrator staked and the round initialised)
 * and a funded sender, for tests of an in-process orchestrator that takes payments: start it,
 * restart it on the same key, ticket secret and winning-ticket store, pay it as the sender would.
 */
export type PaidChain = {
  protocol: LocalProtocol;
  /** The orchestrator's account: tickets pay its address. */
  orchestratorAccount: HDAccount;
  /** A sender with 1 ETH of deposit (or `depositWei`) and 1 ETH of reserve. */
  senderAccount: HDAccount;
  senderKey: Hex;
  /** Where the orchestrator's winning tickets are stored (`winners.sqlite`). */
  dataDir: string;
  /** The orchestrator's ticket secret, the same across `startOrchestrator` calls. */
  secret: Hex;
  startOrchestrator(options?: PaidOrchestratorOptions): Promise<OrchestratorServer>;
  close(): Promise<void>;
};

export type PaidOrchestratorOptions = {
  /** The chain as the orchestrator reads it (default anvil's URL; e.g. a counting proxy). */
  rpcUrl?: string;
  /** Wei per second (default 1e12: 125 tickets a second at the default EV, 8e9). */
  priceWeiPerSecond?: bigint;
  /** Default 2. */
  upfrontSeconds?: number;
  /** How long a session may stay in debt, ms (default 3 000). */
  graceMs?: number;
  ticketParams?: StartOrchestratorPaymentsOptions['ticketParams'];
  /**
   * The orchestrator initialises rounds nobody did (`--initialize-rounds`): for a test long
   * enough to cross a round (50 blocks here; each redemption mines one), as some node on a real
   * network always does. Without, redemptions wait at the next round for good.
   */
  rounds?: StartOrchestratorPaymentsOptions['rounds'];
  adminToken?: string;
  /** Remote workers (the orchestrator's `workers` option) and its own capacity. */
  workers?: OrchestratorServerOptions['workers'];
  maxSessions?: number;
  /** How long a session's peer has to connect before the session is closed, ms (default 15 000). */
  sessionConnectTimeoutMs?: number;
};

export async function startPaidChain({
  depositWei = parseEth('1'),
}: {
  /** The sender's TicketBroker deposit (default 1 ETH; its reserve is 1 ETH). */
  depositWei?: bigint;
} = {}): Promise<PaidChain> {
  const protocol = await startLocalProtocol();
  const dataDir = mkdtempSync(join(tmpdir(), 'peerframe-security-'));
  try {
    const [owner, orchestratorAccount, senderAccount] = [
      protocol.accounts[0],
      protocol.accounts[1],
      protocol.accounts[9],
    ];
    if (!owner || !orchestratorAccount || !senderAccount) throw new Error('too few accounts');
    await setupOrchestrator(protocol.walletClient(orchestratorAccount), {
      ...protocol,
      owner: protocol.walletClient(owner),
      stakeWei: parseEth('1000'),
    });
    await advanceRound(protocol.walletClient(owner), protocol);
    await fundDepositAndReserve(protocol.walletClient(senderAccount), {
      ...protocol,
      depositWei,
      reserveWei: parseEth('1'),
    });
    const secret = generatePrivateKey();
    const keyOf = (account: HDAccount) =>
      bytesToHex(account.getHdKey().privateKey ?? new Uint8Array());
    return {
      protocol,
      orchestratorAccount,
      senderAccount,
      senderKey: keyOf(senderAccount),
      dataDir,
      secret,
      async startOrchestrator(options = {}) {
        const payments = await startOrchestratorPayments({
          rpcUrl: options.rpcUrl ?? protocol.rpcUrl,
          controller: protocol.addresses.controller,
          privateKey: keyOf(orchestratorAccount),
          secret,
          databasePath: join(dataDir, 'winners.sqlite'),
          payments: {
            priceWeiPerSecond: options.priceWeiPerSecond ?? 1_000_000_000_000n,
            upfrontSeconds: options.upfrontSeconds ?? 2,
            ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
          },
          ticketParams: options.ticketParams,
          rounds: options.rounds,
        });
        return OrchestratorServer.create({
          payments,
          ...(options.adminToken ? { adminToken: options.adminToken } : {}),
          ...(options.workers ? { workers: options.workers } : {}),
          ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
          ...(options.sessionConnectTimeoutMs !== undefined
            ? { sessionConnectTimeoutMs: options.sessionConnectTimeoutMs }
            : {}),
        });
      },
      async close() {
        await protocol.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await protocol.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The ticket params `orchestratorUrl` issues `sender` now (`GET /info?sender=`). */
export async function fetchTicketParams(
  orchestratorUrl: string,
  sender: TicketSender,
): Promise<TicketParams> {
  const res = await fetch(`${orchestratorUrl}/info?sender=${sender.address}`);
  if (!res.ok) throw new Error(`GET /info answered ${res.status}: ${await res.text()}`);
  const { payments } = parseOrchestratorInfo(await res.json());
  return decodeTicketParams(payments?.ticketParams);
}

/** Tickets worth `amountWei` signed by `sender` with `params` (fresh ones when not given). */
export async function signPayment(
  orchestratorUrl: string,
  sender: TicketSender,
  amountWei: bigint,
  params?: TicketParams,
): Promise<PaymentJson> {
  const batch = await sender.createTicketBatch({
    params: params ?? (await fetchTicketParams(orchestratorUrl, sender)),
    amountWei,
  });
  return encodePayment(sender.address, batch.tickets);
}

/** A paid session on `orchestrator` with a connected libwebrtc peer (see `openConnectedSession`). */
export function openPaidSession(
  orchestrator: OrchestratorServer,
  payment: PaymentJson,
  pipeline = 'passthrough',
): Promise<{ id: string; token: string; close(): Promise<void> }> {
  return openConnectedSession(
    orchestrator.url,
    pipeline,
    (id) => orchestrator.sessions.get(id)?.state === 'live',
    { payment },
  );
}

/** `POST <url><path>` with a JSON body, as the session's creator when `token` is given. */
export function postJson(
  url: string,
  body: unknown,
  token?: string,
  contentType = 'application/json',
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

/** The `{ error: { code, message } }` of a refusal, with its status. */
export async function refusal(
  res: Response,
): Promise<{ status: number; code: string; message: string }> {
  const error = errorOfBody(await res.json());
  return { status: res.status, code: error?.code ?? '', message: error?.message ?? '' };
}

/** The params a session's pipeline runs with now (in-process orchestrator). */
export function sessionParams(
  orchestrator: OrchestratorServer,
  id: string,
): Record<string, unknown> | undefined {
  const pipeline = orchestrator.sessions.get(id)?.pipeline;
  // With fault injection on, the session's pipeline wraps the real one.
  const real = pipeline instanceof DelayingPipeline ? pipeline.inner : pipeline;
  return (real as { params?: Record<string, unknown> } | undefined)?.params;
}

/** A session's balance as its orchestrator counts it (`GET /sessions/:id` as its creator), wei. */
export async function sessionBalance(
  orchestratorUrl: string,
  session: { id: string; token: string },
): Promise<bigint> {
  const res = await fetch(`${orchestratorUrl}/sessions/${session.id}`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!res.ok) throw new Error(`GET /sessions/${session.id} answered ${res.status}`);
  return BigInt(parseOrchestratorSessionView(await res.json()).balanceWei);
}
