import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import { TicketSender } from '@peerframe/protocol';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PaidChain,
  postJson,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';

const price = 1_000_000_000_000n; // wei per second: 125 tickets a second at the default EV (8e9)
type ErrorBody = { error: { code: string; message: string } };

describe('orchestrator payments (real anvil, in-process orchestrator)', () => {
  let chain: PaidChain;
  let orchestrator: OrchestratorServer;
  let offer: string;
  const gateway = () => chain.senderAccount;
  const sender = () => new TicketSender({ account: privateKeyToAccount(chain.senderKey) });

  beforeAll(async () => {
    chain = await startPaidChain();
    orchestrator = await chain.startOrchestrator({ priceWeiPerSecond: price, graceMs: 1_000 });
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    offer = (await pc.createOffer()).sdp ?? '';
    pc.close();
  });
  afterAll(async () => {
    await orchestrator?.close();
    await chain?.close();
  });

  const post = (path: string, body: unknown, token?: string) =>
    postJson(`${orchestrator.url}${path}`, body, token);
  async function expectError(res: Response, status: number, code: string): Promise<string> {
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
    return body.error.message;
  }
  /** Tickets worth `amountWei` from the params the orchestrator gives the gateway now. */
  const payment = (amountWei: bigint, from = sender()) =>
    signPayment(orchestrator.url, from, amountWei);

  it('gives its price per pipeline and, for a sender, ticket params that pay its address', async () => {
    const info = (await (
      await fetch(`${orchestrator.url}/info?sender=${gateway().address}`)
    ).json()) as {
      pipelines: { name: string; priceWeiPerSecond: string; media: string[] }[];
      payments: { recipient: string; upfrontSeconds: number; ticketParams: { recipient: string } };
    };
    expect(info.pipelines.find((p) => p.name === 'invert')?.priceWeiPerSecond).toBe(String(price));
    // Audio pipelines are priced and listed like video ones, saying what they process.
    expect(info.pipelines.find((p) => p.name === 'noise-suppression')).toMatchObject({
      priceWeiPerSecond: String(price),
      media: ['audio'],
    });
    expect(info.payments.recipient).toBe(chain.orchestratorAccount.address);
    expect(info.payments.ticketParams.recipient).toBe(chain.orchestratorAccount.address);
    expect(info.payments.upfrontSeconds).toBe(2);
    await expectError(await fetch(`${orchestrator.url}/info?sender=0x1234`), 400, 'invalid_sender');
    // A sender with no deposit cannot back a ticket.
    await expectError(
      await fetch(`${orchestrator.url}/info?sender=${chain.protocol.accounts[5]?.address}`),
      402,
      'insufficient_funds',
    );
  });

  it('refuses at start a price whose upfront payment takes more tickets than one params set', async () => {
    // 10 s at 4.8e11 wei/s in tickets of the default EV (8e9 less a wei): 601 > 600.
    await expect(
      chain.startOrchestrator({ priceWeiPerSecond: 480_000_000_000n, upfrontSeconds: 10 }),
    ).rejects.toThrow(
      /priceWeiPerSecond \(480000000000 wei\/s\), the 10 s upfront payment takes 601 tickets of EV 8000000000 wei, more than the 600 .*at least 8000000002 wei/,
    );
    // Just below, or with the EV it names, it starts.
    const fits = await chain.startOrchestrator({
      priceWeiPerSecond: 479_000_000_000n,
      upfrontSeconds: 10,
    });
    await fits.close();
    const dearer = await chain.startOrchestrator({
      priceWeiPerSecond: 480_000_000_000n,
      upfrontSeconds: 10,
      ticketParams: { expectedValueWei: 8_000_000_002n },
    });
    await dearer.close();
  });

  it('refuses a session without payment, with too little, or with malformed tickets', async () => {
    const message = await expectError(
      await post('/sessions', { sdp: offer, pipeline: 'invert' }),
      402,
      'payment_required',
    );
    expect(message).toMatch(/2 s upfront/);
    await expectError(
      await post('/sessions', { sdp: offer, pipeline: 'invert', payment: await payment(price) }),
      402,
      'insufficient_payment',
    );
    const good = await payment(price * 2n);
    const broken = structuredClone(good);
    if (broken.tickets[0]) broken.tickets[0].ticket.faceValue = '-1';
    expect(
      await expectError(
        await post('/sessions', { sdp: offer, pipeline: 'invert', payment: broken }),
        400,
        'invalid_payment',
      ),
    ).toMatch(/tickets\[0\]\.ticket\.faceValue/);
    // Tickets signed by someone else than the sender they name are refused, with the reason.
    const forged = await payment(price * 2n);
    for (const t of forged.tickets) t.signature = `0x${'11'.repeat(65)}`;
    expect(
      await expectError(
        await post('/sessions', { sdp: offer, pipeline: 'invert', payment: forged }),
        402,
        'insufficient_payment',
      ),
    ).toMatch(/invalid_signature/);
    expect(orchestrator.sessions.size).toBe(0);
  });

  it('runs a paid session, credits payments, and stops it once it stays in debt past the grace', async () => {
    const created = await post('/sessions', {
      sdp: offer,
      pipeline: 'invert',
      payment: await payment(price * 2n),
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    const balance = async () =>
      BigInt(
        (
          (await (
            await fetch(`${orchestrator.url}/sessions/${id}`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).json()) as {
            balanceWei: string;
          }
        ).balanceWei,
      );
    expect(await balance()).toBeGreaterThan(0n);

    // A payment tops the balance up; a replayed one is refused with its reason.
    const topUp = await payment(price * 2n);
    const before = await balance();
    const paid = await post(`/sessions/${id}/payment`, { payment: topUp }, token);
    expect(paid.status).toBe(200);
    const receipt = (await paid.json()) as { creditedWei: string; accepted: number };
    expect(BigInt(receipt.creditedWei)).toBeGreaterThanOrEqual(price * 2n - 2n);
    expect(await balance()).toBeGreaterThan(before);
    expect(
      await expectError(
        await post(`/sessions/${id}/payment`, { payment: topUp }, token),
        402,
        'ticket_rejected',
      ),
    ).toMatch(/nonce_replay/);

    // Nobody pays any more: ~4 s of credit, then 1 s of grace, then the session stops.
    await expect
      .poll(() => orchestrator.sessions.has(id), { timeout: 12_000, interval: 200 })
      .toBe(false);
    expect(
      await expectError(
        await post(`/sessions/${id}/payment`, { payment: await payment(price) }, token),
        410,
        'session_ended',
      ),
    ).toMatch(/insufficient_balance/);
  });
});
