import type { OrchestratorServer } from '@peerframe/orchestrator';
import {
  encodeAuxData,
  encodePayment,
  getTicketExpectedValue,
  type SignedTicket,
  signTicketWithKey,
  TicketSender,
} from '@peerframe/protocol';
import { keccak256, numberToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingRpcProxy, startCountingRpcProxy } from '../helpers/countingRpcProxy.ts';
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

// Issue 13, item 5: a payment of 1 000 tickets naming 1 000 different creation rounds cost 1 000
// sequential eth_calls (one block hash per round, read before any cheap check) and grew the
// node's memory with an unbounded cache of them. The signature and params MAC now come first:
// a payment of forged tickets costs no chain read beyond the current round and block.

describe("a payment's chain reads do not grow with what the sender puts in it", () => {
  let chain: PaidChain;
  let proxy: CountingRpcProxy;
  let orchestrator: OrchestratorServer;
  beforeAll(async () => {
    chain = await startPaidChain();
    proxy = await startCountingRpcProxy(chain.protocol.rpcUrl);
    orchestrator = await chain.startOrchestrator({ rpcUrl: proxy.url });
  });
  afterAll(async () => {
    await orchestrator?.close();
    await proxy?.close();
    await chain?.close();
  });

  it('refuses 1 000 tickets with 1 000 creation rounds at the cost of two chain reads, crediting none', async () => {
    const sender = new TicketSender({ account: chain.senderAccount });
    const session = await openPaidSession(
      orchestrator,
      await signPayment(orchestrator.url, sender, 4_000_000_000_000n),
    );
    try {
      const url = `${orchestrator.url}/sessions/${session.id}/payment`;
      const balance = () => sessionBalance(orchestrator.url, session);
      // Real params, real signatures by the paying sender: only the creation round differs.
      const params = await fetchTicketParams(orchestrator.url, sender);
      const tickets: SignedTicket[] = [];
      for (let round = 1n; round <= 1_000n; round++) {
        const ticket = {
          recipient: params.recipient,
          sender: sender.address,
          faceValue: params.faceValue,
          winProb: params.winProb,
          senderNonce: round,
          recipientRandHash: params.recipientRandHash,
          auxData: encodeAuxData(round, keccak256(numberToHex(round))),
        };
        tickets.push({
          ticket,
          signature: await signTicketWithKey(chain.senderKey, ticket),
          seed: params.seed,
          expirationBlock: params.expirationBlock,
        });
      }
      const body = { payment: encodePayment(sender.address, tickets) };
      const balanceBefore = await balance();

      for (let request = 0; request < 3; request++) {
        proxy.reset();
        const refused = await refusal(await postJson(url, body, session.token));
        const counts = proxy.counts();
        expect(refused).toMatchObject({ status: 402, code: 'ticket_rejected' });
        expect(refused.message).toMatch(/^1000 of 1000 tickets refused \(refused: /);
        expect(refused.message).toMatch(/expired|invalid_aux_data|invalid_ticket_params/);
        // The current round (an eth_call) and block: nothing per ticket, nothing per round.
        const calls = `request ${request}: ${JSON.stringify(counts)}`;
        expect(proxy.count('eth_call'), calls).toBeLessThanOrEqual(2);
        expect(
          Object.values(counts).reduce((a, b) => a + b, 0),
          calls,
        ).toBeLessThanOrEqual(4);
      }
      // A payment body sent as text/plain is not even read (issue 13, item 2).
      expect(await refusal(await postJson(url, body, session.token, 'text/plain'))).toMatchObject({
        status: 415,
        code: 'unsupported_media_type',
      });

      // Nothing credited (the balance only fell, by the seconds charged), nothing lost: the
      // session lives and a real payment still counts in full.
      expect(await balance()).toBeLessThanOrEqual(balanceBefore);
      expect(orchestrator.sessions.get(session.id)?.state).toBe('live');
      const fresh = await fetchTicketParams(orchestrator.url, sender);
      const paid = await postJson(
        url,
        {
          payment: await signPayment(
            orchestrator.url,
            sender,
            getTicketExpectedValue(fresh),
            fresh,
          ),
        },
        session.token,
      );
      expect(paid.status).toBe(200);
      expect(await paid.json()).toMatchObject({
        accepted: 1,
        creditedWei: getTicketExpectedValue(fresh).toString(),
      });
    } finally {
      await session.close();
    }
  });
});
