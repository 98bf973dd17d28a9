import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { OrchestratorServer, startOrchestratorPayments } from '@peerframe/orchestrator';
import {
  advanceRound,
  decodeTicketParams,
  encodePayment,
  fundDepositAndReserve,
  type LocalProtocol,
  parseEth,
  setupOrchestrator,
  startLocalProtocol,
  TicketSender,
} from '@peerframe/protocol';
import { bytesToHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const price = 1_000_000_000_000n; // wei per second: one ticket (EV 1e12) a second
type ErrorBody = { error: { code: string; message: string } };

describe('orchestrator payments (real anvil, in-process orchestrator)', () => {
  let protocol: LocalProtocol;
  let orchestrator: OrchestratorServer;
  let offer: string;
  let dataDir: string;
  const gateway = () => protocol.accounts[9] ?? (undefined as never);
  const sender = () => new TicketSender({ account: privateKeyToAccount(gatewayKey()) });
  const gatewayKey = () => bytesToHex(gateway().getHdKey().privateKey ?? new Uint8Array());

  beforeAll(async () => {
    protocol = await startLocalProtocol();
    const orchestratorAccount = protocol.accounts[1] ?? (undefined as never);
    await setupOrchestrator(protocol.walletClient(orchestratorAccount), {
      ...protocol,
      owner: protocol.walletClient(),
      stakeWei: parseEth('1000'),
    });
    await advanceRound(protocol.walletClient(), protocol);
    await fundDepositAndReserve(protocol.walletClient(gateway()), {
      ...protocol,
      depositWei: parseEth('1'),
      reserveWei: parseEth('1'),
    });
    dataDir = mkdtempSync(join(tmpdir(), 'peerframe-payments-'));
    const payments = await startOrchestratorPayments({
      rpcUrl: protocol.rpcUrl,
      controller: protocol.addresses.controller,
      privateKey: bytesToHex(orchestratorAccount.getHdKey().privateKey ?? new Uint8Array()),
      secret: generatePrivateKey(),
      databasePath: join(dataDir, 'winners.sqlite'),
      payments: { priceWeiPerSecond: price, upfrontSeconds: 2, graceMs: 1_000 },
    });
    orchestrator = await OrchestratorServer.create({ payments });
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    offer = (await pc.createOffer()).sdp ?? '';
    pc.close();
  });
  afterAll(async () => {
    await orchestrator?.close();
    await protocol?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${orchestrator.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  async function expectError(res: Response, status: number, code: string): Promise<string> {
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
    return body.error.message;
  }
  /** Tickets worth `amountWei` from the params the orchestrator gives the gateway now. */
  async function payment(amountWei: bigint, from = sender()) {
    const info = (await (
      await fetch(`${orchestrator.url}/info?sender=${from.address}`)
    ).json()) as { payments: { ticketParams: unknown } };
    const params = decodeTicketParams(info.payments.ticketParams);
    const batch = await from.createTicketBatch({ params, amountWei });
    return encodePayment(from.address, batch.tickets);
  }

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
    expect(info.payments.recipient).toBe(protocol.accounts[1]?.address);
    expect(info.payments.ticketParams.recipient).toBe(protocol.accounts[1]?.address);
    expect(info.payments.upfrontSeconds).toBe(2);
    await expectError(await fetch(`${orchestrator.url}/info?sender=0x1234`), 400, 'invalid_sender');
    // A sender with no deposit cannot back a ticket.
    await expectError(
      await fetch(`${orchestrator.url}/info?sender=${protocol.accounts[5]?.address}`),
      402,
      'insufficient_funds',
    );
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
