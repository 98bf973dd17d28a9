import { HttpError } from '@peerframe/core';
import { WrtcPeerConnection, waitForIceGathering } from '@peerframe/core/wrtc';
import { GatewayPayments, OrchestratorClient, StreamPayer } from '@peerframe/gateway';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import {
  encodePayment,
  getRecipientRandHash,
  getTicketExpectedValue,
  getWinningTicketRedemptions,
  isWinningTicket,
  parseEth,
  type TicketParams,
  TicketSender,
} from '@peerframe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchTicketParams,
  openPaidSession,
  type PaidChain,
  postJson,
  refusal,
  sessionBalance,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';

// Issue 13, item 4: winners were redeemed at once and `WinningTicketRedeemed` publishes
// recipientRand while its params were still accepted, so a sender learnt which of its next
// tickets would win and skipped them (40 tickets credited, 11 winners withheld). Now a winner
// retires its params at once (as go-livepeer's invalidRands); the gateway fetches new ones.

type Receipt = { creditedWei: string; balanceWei: string; winners: number; paramsRetired: boolean };

describe('a winner retires its params before its recipientRand is published', () => {
  let chain: PaidChain;
  let orchestrator: OrchestratorServer;
  let ev: bigint;
  let price: bigint;
  beforeAll(async () => {
    // A deposit that outlasts a winner a second for the whole test: the face value comes from
    // the default redeem gas (1.2M) at anvil's gas price, ~0.1 ETH.
    chain = await startPaidChain({ depositWei: parseEth('10') });
    // One ticket in two wins, and a second of stream costs two tickets.
    const probe = await chain.startOrchestrator();
    const probeSender = new TicketSender({ account: chain.senderAccount });
    const { faceValue } = await fetchTicketParams(probe.url, probeSender);
    await probe.close();
    ev = faceValue / 2n;
    price = 2n * ev;
    orchestrator = await chain.startOrchestrator({
      ticketParams: { expectedValueWei: ev },
      priceWeiPerSecond: price,
    });
  });
  afterAll(async () => {
    await orchestrator?.close();
    await chain?.close();
  });

  it('refuses the tickets a sender picks with the published recipientRand (params_retired), losing no winner and no credit', async () => {
    const sender = new TicketSender({ account: chain.senderAccount });
    const session = await openPaidSession(
      orchestrator,
      await signPayment(orchestrator.url, sender, 2n * price),
    );
    try {
      const pay = (tickets: Awaited<ReturnType<TicketSender['createTicketBatch']>>['tickets']) =>
        postJson(
          `${orchestrator.url}/sessions/${session.id}/payment`,
          { payment: encodePayment(sender.address, tickets) },
          session.token,
        );

      // The sender pays one ticket at a time with one set of params until one wins.
      const params: TicketParams = await fetchTicketParams(orchestrator.url, sender);
      const ticketEv = getTicketExpectedValue(params);
      let receipt: Receipt | undefined;
      for (let i = 0; i < 60 && !receipt?.winners; i++) {
        const { tickets } = await sender.createTicketBatch({ params, amountWei: ticketEv });
        expect(tickets).toHaveLength(1);
        const res = await pay(tickets);
        expect(res.status).toBe(200);
        receipt = (await res.json()) as Receipt;
      }
      expect(receipt?.winners).toBe(1);

      // The winner is redeemed on chain, and with it the params' recipientRand is public.
      await expect
        .poll(() => publishedRecipientRand(chain, params.recipientRandHash), { timeout: 20_000 })
        .toBeDefined();
      const rand = await publishedRecipientRand(chain, params.recipientRandHash);
      if (rand === undefined) throw new Error('recipientRand not published');

      // The attack: sign 40 more tickets with the same params, send only those that lose.
      const balanceBefore = await sessionBalance(orchestrator.url, session);
      const { tickets } = await sender.createTicketBatch({ params, amountWei: 40n * ticketEv });
      const losers = tickets.filter((t) => !isWinningTicket(t.signature, rand, params.winProb));
      expect(losers.length).toBeLessThan(tickets.length); // P(no winner in 40 at 1/2) = 1e-12
      const attack = await pay(losers);
      const refused = await refusal(attack);
      expect(refused).toMatchObject({ status: 402, code: 'ticket_params_retired' });
      expect(refused.message).toMatch(
        new RegExp(
          `^${losers.length} of ${losers.length} tickets refused \\(refused: params_retired;`,
        ),
      );
      // None credited: the balance only fell since (by the seconds charged).
      expect(await sessionBalance(orchestrator.url, session)).toBeLessThanOrEqual(balanceBefore);

      // The sender was told at once, in the receipt of the payment that won.
      expect(receipt?.paramsRetired).toBe(true);

      // Nothing lost: the winner is redeemed, the earlier credit stands, new params pay.
      // (The event can be seen before the queue has recorded the receipt.)
      const store = orchestrator.payments?.redemptionQueue.store;
      await expect
        .poll(() =>
          store
            ?.list()
            .filter((w) => w.ticket.recipientRandHash === params.recipientRandHash)
            .map((w) => w.status),
        )
        .toEqual(['redeemed']);
      const fresh = await signPayment(orchestrator.url, sender, 2n * ev);
      const paid = await postJson(
        `${orchestrator.url}/sessions/${session.id}/payment`,
        { payment: fresh },
        session.token,
      );
      expect(paid.status).toBe(200);
      expect(await paid.json()).toMatchObject({ rejected: [] });
    } finally {
      await session.close();
    }
  });

  it('keeps a gateway paying every second across retirements: no failed payment, no failover', async () => {
    const payments = await GatewayPayments.create({
      rpcUrl: chain.protocol.rpcUrl,
      controller: chain.protocol.addresses.controller,
      privateKey: chain.senderKey,
      // Dear tickets that win often, on purpose: the safeguards' defaults would refuse them.
      options: { maxTicketEvWei: 10n ** 18n, maxTotalEvWei: 10n ** 19n },
    });
    const client = new OrchestratorClient(orchestrator.url);
    // Every refusal the orchestrator answers the payer's payments with.
    const refusals: string[] = [];
    const pay = client.pay.bind(client);
    client.pay = async (...args) => {
      try {
        return await pay(...args);
      } catch (error) {
        refusals.push(error instanceof HttpError ? error.code : String(error));
        throw error;
      }
    };
    const peer = new WrtcPeerConnection({ iceServers: [] });
    let payer: StreamPayer | undefined;
    let sessionId = '';
    try {
      peer.addTransceiver('video', { direction: 'sendrecv' });
      await peer.setLocalDescription(await peer.createOffer());
      await waitForIceGathering(peer);
      const quote = await payments.quote(client, 'passthrough');
      if (!quote) throw new Error('the orchestrator does not charge');
      const upfront = await payments.pay(quote.params, price * BigInt(quote.upfrontSeconds));
      const created = await client.createSession({
        sdp: peer.localDescription?.sdp ?? '',
        pipeline: 'passthrough',
        params: {},
        payment: upfront.payment,
      });
      sessionId = created.id;
      await peer.setRemoteDescription({ type: 'answer', sdp: created.sdp });
      const retiredBefore = retiredParams(orchestrator);

      payer = new StreamPayer({
        payments,
        client,
        sessionId,
        pipeline: 'passthrough',
        quote,
        upfrontWei: upfront.expectedValueWei,
        balanceWei: upfront.expectedValueWei,
        paramsRetired: created.paramsRetired,
      });
      // Four tickets at one in two: the upfront payment won (P = 15/16) or not, and said which.
      const upfrontWon = retiredBefore.has(quote.params.recipientRandHash);
      expect(created.paramsRetired).toBe(upfrontWon);
      const failures: string[] = [];
      const balances: bigint[] = [];
      payer.on('failed', ({ reason }) => failures.push(reason));
      payer.on('payment', ({ balanceWei }) => balances.push(balanceWei));
      const startedAt = performance.now();
      payer.start();

      // Half the tickets win: each win retires the params the payer holds. Three retirements.
      await expect
        .poll(() => retiredParams(orchestrator).size - retiredBefore.size, { timeout: 30_000 })
        .toBeGreaterThanOrEqual(3);
      await expect.poll(() => balances.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
      expect(failures).toEqual([]);
      // Told of every retirement (the upfront payment's included) in the answer to the payment
      // that won, the payer never pays with retired params: no payment is refused.
      expect(refusals).toEqual([]);
      expect(orchestrator.sessions.get(sessionId)?.state).not.toBe('closed');
      // The orchestrator's count of the credit never fell below zero: every second was paid.
      expect(balances.every((b) => b >= 0n)).toBe(true);
      // What the gateway spent is what it owed plus less than one ticket of credit, however
      // often its params changed: no credit stranded with retired params, nothing paid twice.
      const { spentWei } = payer.payment;
      const owedWei =
        price * BigInt(quote.upfrontSeconds) +
        (price * BigInt(Math.floor(performance.now() - startedAt))) / 1000n;
      expect(spentWei).toBeLessThan(owedWei + getTicketExpectedValue(quote.params));
      expect(spentWei).toBeGreaterThanOrEqual(owedWei - 2n * price);
    } finally {
      payer?.stop();
      if (sessionId) await client.deleteSession(sessionId);
      peer.close();
    }
  });
});

/** The recipientRand a `WinningTicketRedeemed` event published for these params, if any yet. */
async function publishedRecipientRand(
  chain: PaidChain,
  recipientRandHash: string,
): Promise<bigint | undefined> {
  const events = await getWinningTicketRedemptions(chain.protocol.publicClient, chain.protocol);
  return events
    .map((e) => e.recipientRand)
    .find((rand) => getRecipientRandHash(rand) === recipientRandHash);
}

/** recipientRandHash of every params a stored winner retired. */
function retiredParams(orchestrator: OrchestratorServer): Set<string> {
  return new Set(
    (orchestrator.payments?.redemptionQueue.store.list() ?? []).map(
      (w) => w.ticket.recipientRandHash,
    ),
  );
}
