import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestratorServer, startOrchestratorPayments } from '@peerframe/orchestrator';
import {
  decodePayment,
  decodeTicketParams,
  encodePayment,
  fundDepositAndReserve,
  type SignedTicket,
  startLocalProtocol,
  TicketSender,
} from '@peerframe/protocol';
import { bytesToHex, parseEther } from 'viem';
import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import { judgeHttp } from './judgeHttp.ts';
import { mutateBytes } from './mutateBytes.ts';
import { type Json, mutateJson } from './paymentTarget.ts';
import type { Rng } from './Rng.ts';
import { rawHttpRequest } from './rawHttp.ts';
import { openConnectedSession } from './startFuzzStack.ts';
import { canonical } from './ticketTarget.ts';

/**
 * `POST /sessions/:id/payment` on an orchestrator that takes payments, against a real chain
 * (anvil with the protocol deployed, the sender funded): each case signs fresh tickets with the
 * params the orchestrator issued, mutates the payment (JSON or bytes) and posts it. The answer is
 * 200 only when no ticket changed, otherwise a JSON 4xx (400 invalid_payment / invalid_json,
 * 402 ticket_rejected, 404) — never a 5xx or silence.
 */
export async function createPaymentHttpFuzzTarget(): Promise<FuzzTarget> {
  const chain = await startLocalProtocol();
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-fuzz-payments-'));
  let orchestrator: OrchestratorServer | undefined;
  try {
    const [, senderAccount, orchestratorAccount] = chain.accounts;
    if (!senderAccount || !orchestratorAccount) throw new Error('anvil has too few accounts');
    await fundDepositAndReserve(chain.walletClient(senderAccount), {
      ...chain,
      depositWei: parseEther('10'),
      reserveWei: parseEther('10'),
    });
    const payments = await startOrchestratorPayments({
      rpcUrl: chain.rpcUrl,
      controller: chain.addresses.controller,
      privateKey: bytesToHex(orchestratorAccount.getHdKey().privateKey as Uint8Array),
      secret: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
      databasePath: join(dir, 'winners.sqlite'),
      // Free sessions still take tickets: what this target needs is the payment route.
      payments: { priceWeiPerSecond: 0n },
    });
    orchestrator = await OrchestratorServer.create({ payments });
    const base = orchestrator.url;
    const server = orchestrator;
    const session = await openConnectedSession(
      base,
      'passthrough',
      (id) => server.sessions.get(id)?.state === 'live',
    );
    const sessionId = session.id;
    const freshParams = async () => {
      const info = (await (await fetch(`${base}/info?sender=${senderAccount.address}`)).json()) as {
        payments: { ticketParams: unknown };
      };
      return decodeTicketParams(info.payments.ticketParams);
    };
    // A winner retires the params it used: then the next case asks for new ones.
    let params = await freshParams();
    const sender = new TicketSender({ account: senderAccount });
    const ticketEv = (params.faceValue * params.winProb) / 2n ** 256n;

    return {
      name: 'payment-http',
      runCase: async (rng: Rng): Promise<CaseResult> => {
        const count = 1 + rng.int(3);
        const { tickets } = await sender.createTicketBatch({
          params,
          amountWei: ticketEv * BigInt(count),
        });
        const mutations: string[] = [];
        let text = JSON.stringify({ payment: encodePayment(sender.address, tickets) });
        if (rng.chance(0.15)) {
          const mutated = mutateBytes(rng, Buffer.from(text), 3);
          text = Buffer.from(mutated.value).toString('utf8');
          mutations.push(...mutated.mutations.map((m) => `bytes:${m}`));
        } else if (rng.chance(0.9)) {
          let root = JSON.parse(text) as Json;
          for (let i = 1 + rng.int(2); i > 0; i--) root = mutateJson(rng, root, mutations);
          text = JSON.stringify(root);
        } else {
          mutations.push('none');
        }
        const id = rng.chance(0.95) ? sessionId : 'no-such-session';
        const result = await rawHttpRequest({
          baseUrl: base,
          method: 'POST',
          target: `/sessions/${id}/payment`,
          headers: [
            ['content-type', 'application/json'],
            ['authorization', `Bearer ${session.token}`],
          ],
          body: Buffer.from(text),
          timeoutMs: 15_000,
        });
        const verdict = judgeHttp(result, { framingBroken: false, method: 'POST' });
        if (
          result.kind === 'response' &&
          /"paramsRetired":true|ticket_params_retired/.test(result.response.body.toString('utf8'))
        ) {
          params = await freshParams();
        }
        let failure = verdict.failure;
        if (verdict.status === 200) {
          // Accepted in full: every ticket the orchestrator decoded must be one that was signed.
          const changed = changedTickets(text, tickets);
          if (changed > 0) failure ??= `${changed} changed ticket(s) credited`;
        }
        if (!server.sessions.has(sessionId)) failure ??= 'the paid session ended';
        return { outcome: verdict.outcome, failure, mutations };
      },
      close: async () => {
        await session.close();
        await server.close();
        await chain.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await orchestrator?.close();
    await chain.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Tickets of the posted payment that are not, field for field, one of those signed. */
function changedTickets(text: string, signed: SignedTicket[]): number {
  try {
    const { decoded } = decodePayment((JSON.parse(text) as { payment: unknown }).payment);
    return decoded.filter((t) => !signed.some((s) => canonical(s) === canonical(t))).length;
  } catch {
    return 0;
  }
}
