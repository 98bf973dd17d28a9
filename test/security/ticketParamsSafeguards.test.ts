import { installWrtcExitGuard } from '@peerframe/core/wrtc';
import { parseEth } from '@peerframe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaidNodes, startPaidNodes } from '../helpers/startPaidNodes.ts';

installWrtcExitGuard();

// Issue 13, item 6: a malicious orchestrator issued a 1 ETH face value with winProb 2^256 − 1
// and the gateway signed it to pay 1e12 wei owed. The gateway now checks every orchestrator's
// params against go-livepeer's sender rules before it signs anything.
describe('a gateway facing an orchestrator whose ticket params would take its deposit', () => {
  let nodes: PaidNodes;
  let malicious: Awaited<ReturnType<PaidNodes['startOrchestrator']>>;
  let honest: Awaited<ReturnType<PaidNodes['startOrchestrator']>>;
  beforeAll(async () => {
    nodes = await startPaidNodes();
    // Its params: faceValue 1 ETH, EV 1 ETH, so winProb 2^256 − 1: every ticket wins 1 ETH.
    malicious = await nodes.startOrchestrator({
      ticketParams: { expectedValueWei: parseEth('1'), minFaceValueWei: parseEth('1') },
    });
    honest = await nodes.startOrchestrator();
  });
  afterAll(async () => {
    await nodes?.close();
  });

  const publish = (gatewayUrl: string) => nodes.publish(gatewayUrl);
  const views = (gatewayUrl: string) => nodes.orchestratorsOf(gatewayUrl);

  it('refuses the params with a named reason, signs nothing, and scores the orchestrator down', async () => {
    const params = await malicious.payments.recipient.ticketParams(nodes.gatewayAccount.address);
    expect(params.faceValue).toBe(parseEth('1'));
    expect(params.winProb).toBe(2n ** 256n - 1n);
    const fundsBefore = await nodes.gatewayFunds();
    const { gateway, payments } = await nodes.startGateway([malicious.server.url]);

    const refused = await publish(gateway.url);
    expect(refused.status).toBe(503);
    expect(refused.error?.code).toBe('no_orchestrator');
    expect(refused.error?.message).toContain(`${malicious.server.url}: ticket_ev_too_high`);

    // Scored down: a failure, a refusal of its terms, suspended, and the reason on view.
    expect((await views(gateway.url)).find((o) => o.url === malicious.server.url)).toMatchObject({
      failures: 1,
      refusedTerms: 1,
      lastFailure: 'ticket_ev_too_high',
      suspended: true,
    });
    // Nothing lost: no ticket was signed or sent, no session opened, the deposit untouched.
    expect(payments.sender.lastNonce(params.recipientRandHash)).toBe(0n);
    expect(malicious.server.sessions.size).toBe(0);
    expect(malicious.payments.recipient.sessionIds).toEqual([]);
    expect(malicious.payments.redemptionQueue.store.counts().pending).toBe(0);
    expect(await nodes.gatewayFunds()).toEqual(fundsBefore);
    expect(gateway.streams.size).toBe(0);
  });

  it('streams through an honest orchestrator and keeps the refused one out', async () => {
    const { gateway } = await nodes.startGateway([malicious.server.url, honest.server.url]);
    const picked = new Set<string>();
    // Selection draws at random among the candidates: publish until the malicious one was
    // tried (and refused) once, then every stream must avoid it.
    for (let i = 0; i < 40; i++) {
      const { status, streamId } = await publish(gateway.url);
      expect(status).toBe(201);
      picked.add(gateway.streams.get(streamId ?? '')?.stats().orchestrator ?? 'none');
      await fetch(`${gateway.url}/whip/${streamId}`, { method: 'DELETE' });
      const view = (await views(gateway.url)).find((o) => o.url === malicious.server.url);
      if (view?.refusedTerms === 1 && i >= 5) break;
    }
    expect(picked).toEqual(new Set([honest.server.url]));
    const all = await views(gateway.url);
    expect(all.find((o) => o.url === malicious.server.url)).toMatchObject({
      refusedTerms: 1,
      suspended: true,
      lastFailure: 'ticket_ev_too_high',
    });
    expect(all.find((o) => o.url === honest.server.url)).toMatchObject({
      failures: 0,
      suspended: false,
    });
    // The malicious one never saw a ticket.
    expect(malicious.server.sessions.size).toBe(0);
    expect(malicious.payments.recipient.sessionIds).toEqual([]);
  });
});
