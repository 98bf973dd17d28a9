import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OrchestratorServer,
  type RemoteSession,
  WorkerCredentials,
  WorkerNode,
} from '@peerframe/orchestrator';
import { TicketSender } from '@peerframe/protocol';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareOffer, hostCandidate } from '../helpers/inProcessStack.ts';
import {
  openPaidSession,
  type PaidChain,
  postJson,
  sessionBalance,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';

const price = 1_000_000_000_000n; // wei per second

describe('sessions on workers are paid to the orchestrator and charged from reported usage', () => {
  let chain: PaidChain;
  let orchestrator: OrchestratorServer;
  let worker: WorkerNode;
  const sender = () => new TicketSender({ account: privateKeyToAccount(chain.senderKey) });

  beforeAll(async () => {
    chain = await startPaidChain();
    const credentials = new WorkerCredentials(
      join(mkdtempSync(join(tmpdir(), 'peerframe-worker-pay-')), 'creds.json'),
    );
    orchestrator = await chain.startOrchestrator({
      priceWeiPerSecond: price,
      upfrontSeconds: 4,
      graceMs: 60_000,
      maxSessions: 0,
      workers: { credentials },
    });
    worker = await WorkerNode.create({
      orchestratorUrl: orchestrator.url,
      credential: credentials.create('paid').secret,
      spareMediaThreads: 0,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await orchestrator?.close();
    await chain?.close();
  });

  it('charges a connected session for the seconds its worker reports', async () => {
    const payment = await signPayment(orchestrator.url, sender(), price * 4n);
    const session = await openPaidSession(orchestrator, payment, 'invert');
    try {
      const remote = orchestrator.sessions.get(session.id) as RemoteSession;
      expect(worker.sessions.has(session.id)).toBe(true);
      const start = await sessionBalance(orchestrator.url, session);
      await expect.poll(() => remote.usage.seconds, { timeout: 10_000 }).toBeGreaterThan(2);
      const charged = start - (await sessionBalance(orchestrator.url, session));
      // At least two of the reported seconds were charged, at the pipeline's price.
      expect(charged).toBeGreaterThanOrEqual(price);
      expect(charged).toBeLessThanOrEqual(price * BigInt(Math.ceil(remote.usage.seconds + 1)));
    } finally {
      await session.close();
    }
  });

  it('charges nothing while the worker reports no use (a peer that never connects)', async () => {
    const res = await postJson(`${orchestrator.url}/sessions`, {
      sdp: await bareOffer('sendrecv', [hostCandidate(9)]),
      pipeline: 'invert',
      payment: await signPayment(orchestrator.url, sender(), price * 4n),
    });
    expect(res.status).toBe(201);
    const { id, token } = (await res.json()) as { id: string; token: string };
    const start = await sessionBalance(orchestrator.url, { id, token });
    // By the clock this would cost 1e12 wei a second; the worker reports no use, so nothing.
    const remote = orchestrator.sessions.get(id) as RemoteSession;
    await expect.poll(() => worker.sessions.get(id)?.state, { timeout: 5_000 }).toBe('connecting');
    // Three heartbeats later (3 s at 1 s, three chances for usage reports), still nothing.
    const [link] = [...(orchestrator.workers?.hub.workers.values() ?? [])];
    const beats = link?.heartbeats ?? 0;
    await expect
      .poll(() => link?.heartbeats, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(beats + 3);
    expect(remote.usage.seconds).toBe(0);
    expect(await sessionBalance(orchestrator.url, { id, token })).toBe(start);
  });
});
