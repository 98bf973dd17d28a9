import { join } from 'node:path';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import {
  getTicketExpectedValue,
  getWinningTicketRedemptions,
  TicketSender,
  WinningTicketStore,
} from '@peerframe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealOffer } from '../helpers/fuzz/startFuzzStack.ts';
import {
  fetchTicketParams,
  openPaidSession,
  type PaidChain,
  postJson,
  refusal,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';

// Issue 13, item 3: the nonce tracker lived in memory while the ticket secret survives restarts,
// so payments captured before a crash or deploy bought a new paid session after it (201). Params
// now live no longer than the run that issued them: after a restart they are `stale_params`.

describe('tickets paid before a restart buy nothing after it', () => {
  let chain: PaidChain;
  let orchestrator: OrchestratorServer | undefined;
  beforeAll(async () => {
    chain = await startPaidChain();
  });
  afterAll(async () => {
    await orchestrator?.close();
    await chain?.close();
  });

  it('refuses a captured upfront payment after the restart (stale_params), and every winner from before is still redeemed', async () => {
    const sender = new TicketSender({ account: chain.senderAccount });
    // One ticket in two wins: the captured payment carries winners to redeem across the restart.
    const probe = await chain.startOrchestrator();
    const faceValue = (await fetchTicketParams(probe.url, sender)).faceValue;
    await probe.close();
    orchestrator = await chain.startOrchestrator({
      ticketParams: { expectedValueWei: faceValue / 2n },
    });
    const params = await fetchTicketParams(orchestrator.url, sender);
    const captured = await signPayment(
      orchestrator.url,
      sender,
      16n * getTicketExpectedValue(params),
      params,
    );
    const first = await openPaidSession(orchestrator, captured);
    const winnersBefore = orchestrator.payments?.redemptionQueue.store.list() ?? [];
    expect(winnersBefore.length).toBeGreaterThan(0); // P(none of 16 at 1/2) = 1.5e-5
    await first.close();

    // A deploy: the node stops and comes back with the same key, ticket secret and store.
    await orchestrator.close();
    orchestrator = await chain.startOrchestrator({
      ticketParams: { expectedValueWei: faceValue / 2n },
    });
    const replayed = await postJson(`${orchestrator.url}/sessions`, {
      sdp: await createRealOffer(),
      pipeline: 'passthrough',
      payment: captured,
    });
    const refused = await refusal(replayed);
    expect(refused).toMatchObject({ status: 402, code: 'insufficient_payment' });
    expect(refused.message).toMatch(/refused: stale_params/);
    expect(orchestrator.sessions.size).toBe(0);

    // Nothing lost: every winner stored before the restart is redeemed by the new run, once.
    const server = orchestrator;
    await expect
      .poll(() => server.payments?.redemptionQueue.store.counts().redeemed, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(winnersBefore.length);
    const reader = WinningTicketStore.open({ path: join(chain.dataDir, 'winners.sqlite') });
    try {
      for (const winner of winnersBefore) {
        expect(reader.get(winner.ticketHash)?.status).toBe('redeemed');
      }
    } finally {
      reader.close();
    }
    const redeemed = await getWinningTicketRedemptions(chain.protocol.publicClient, chain.protocol);
    expect(redeemed.length).toBe(winnersBefore.length);

    // And the sender pays the new run with the params it issues now.
    const fresh = await openPaidSession(
      orchestrator,
      await signPayment(orchestrator.url, sender, 4n * getTicketExpectedValue(params)),
    );
    expect(orchestrator.sessions.has(fresh.id)).toBe(true);
    await fresh.close();
  });
});
