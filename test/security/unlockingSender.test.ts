import { HttpError } from '@peerframe/core';
import { installWrtcExitGuard } from '@peerframe/core/wrtc';
import { OrchestratorClient } from '@peerframe/gateway';
import {
  decodeTicketParams,
  encodePayment,
  fundDeposit,
  TicketSender,
  unlock,
} from '@peerframe/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRealOffer } from '../helpers/fuzz/startFuzzStack.ts';
import { type PaidNodes, startPaidNodes } from '../helpers/startPaidNodes.ts';

installWrtcExitGuard();

// Issue 13, item 7: neither side checked that the sender's deposit is unlocking. From its
// withdraw round an unlocking sender's tickets no longer redeem (Livepeer's TicketBroker reverts
// "sender is unlocked"), so a gateway must not pay with them and an orchestrator must not take
// them.
describe('a sender whose deposit is unlocking', () => {
  let nodes: PaidNodes;
  beforeEach(async () => {
    nodes = await startPaidNodes();
  });
  afterEach(async () => {
    await nodes?.close();
  });

  const publish = (gatewayUrl: string) => nodes.publish(gatewayUrl);
  const views = (gatewayUrl: string) => nodes.orchestratorsOf(gatewayUrl);

  it('the gateway refuses to pay: 503 sender_unlocking, no orchestrator blamed, nothing paid', async () => {
    const orchestrator = await nodes.startOrchestrator();
    await unlock(nodes.gatewayWallet, nodes.chain);
    const funds = await nodes.gatewayFunds();
    expect(funds.withdrawRound).toBeGreaterThan(0n);
    const { gateway } = await nodes.startGateway([orchestrator.server.url], { fundsCacheMs: 0 });

    const refused = await publish(gateway.url);
    expect(refused.status).toBe(503);
    expect(refused.error?.code).toBe('sender_unlocking');
    expect(refused.error?.message).toMatch(/deposit is unlocking \(withdraw round \d+\)/);
    // Its own deposit, not the orchestrator: nobody is suspended, no session was opened.
    expect((await views(gateway.url))[0]).toMatchObject({ failures: 0, suspended: false });
    expect(orchestrator.server.sessions.size).toBe(0);
    expect(orchestrator.payments.recipient.sessionIds).toEqual([]);
    expect(await nodes.gatewayFunds()).toEqual(funds);
    expect(gateway.streams.size).toBe(0);

    // Funding again cancels the unlock: the gateway pays again (once it has read the chain).
    await fundDeposit(nodes.gatewayWallet, { ...nodes.chain, amountWei: 1n });
    await expect
      .poll(async () => (await publish(gateway.url)).status, { timeout: 10_000 })
      .toBe(201);
  });

  it('a running stream stops paying and ends with sender_unlocking, no orchestrator blamed', async () => {
    const [a, b] = [await nodes.startOrchestrator(), await nodes.startOrchestrator()];
    const { gateway } = await nodes.startGateway([a.server.url, b.server.url], {
      fundsCacheMs: 200,
    });
    // The publisher never connects: its stream waits 15 s for it, paying every second meanwhile.
    const { status, streamId } = await publish(gateway.url);
    expect(status).toBe(201);
    const stream = gateway.streams.get(streamId ?? '');
    if (!stream) throw new Error('no stream');
    const ended = new Promise<string>((resolve) => stream.once('error', (e) => resolve(e.code)));
    let payments = 0;
    stream.on('payment', () => payments++);
    await expect.poll(() => payments, { timeout: 10_000 }).toBeGreaterThan(0);

    await unlock(nodes.gatewayWallet, nodes.chain);
    expect(await ended).toBe('sender_unlocking');
    expect(stream.stats().swaps).toBe(0);
    for (const view of await views(gateway.url)) {
      expect(view).toMatchObject({ failures: 0, suspended: false });
    }
  });

  it('the orchestrator refuses its tickets (sender_unlocking), keeps the credit it gave and keeps serving', async () => {
    // A sender that does not check its own deposit (an old gateway): the orchestrator must.
    // Free sessions still take tickets, so nothing but tickets moves the balance here.
    const orchestrator = await nodes.startOrchestrator({ priceWeiPerSecond: 0n });
    const sender = new TicketSender({ account: nodes.gatewayAccount });
    const client = new OrchestratorClient(orchestrator.server.url);
    const paymentOf = async (amountWei: bigint) => {
      const info = await client.info(sender.address);
      const params = decodeTicketParams(info.payments?.ticketParams);
      return encodePayment(
        sender.address,
        (await sender.createTicketBatch({ params, amountWei })).tickets,
      );
    };
    const session = await client.createSession({
      sdp: await createRealOffer(),
      pipeline: 'passthrough',
      params: {},
      payment: await paymentOf(3n * 10n ** 12n),
    });
    const paid = await client.pay(session.id, await paymentOf(2n * 10n ** 12n));
    expect(paid.rejected).toEqual([]);
    const balance = orchestrator.payments.balance(session.id);
    expect(balance).toBeGreaterThan(0n);

    await unlock(nodes.gatewayWallet, nodes.chain);
    const refused = await client
      .pay(session.id, await paymentOf(2n * 10n ** 12n))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 402, code: 'ticket_rejected' });
    expect((refused as HttpError).shortMessage).toMatch(/refused: sender_unlocking/);
    // The credit given before stays; nothing was added; the node still answers.
    expect(orchestrator.payments.balance(session.id)).toBe(balance);
    expect(orchestrator.server.sessions.has(session.id)).toBe(true);
    expect((await client.info()).pipelines.length).toBeGreaterThan(0);
  });
});
