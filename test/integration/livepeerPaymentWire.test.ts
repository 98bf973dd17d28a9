import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import type { OrchestratorServer } from '@peerframe/orchestrator';
import {
  decodeLivepeerPaymentResult,
  encodeLivepeerPayment,
  getTicketExpectedValue,
  type LivepeerPrice,
  livepeerPaymentHeader,
  livepeerPriceOf,
  parseEth,
  type SignedTicket,
  signTicket,
  type TicketParams,
  TicketSender,
} from '@peerframe/protocol';
import { hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchTicketParams,
  type PaidChain,
  postJson,
  sessionBalance,
  signPayment,
  startPaidChain,
} from '../helpers/paidOrchestrator.ts';

const price = 1_000_000_000_000n; // wei per second
type ErrorBody = { error: { code: string; message: string } };

describe("go-livepeer's payment wire into a PeerFrame orchestrator (real anvil, HTTP)", () => {
  let chain: PaidChain;
  let orchestrator: OrchestratorServer;
  let session: { id: string; token: string };
  const account = () => privateKeyToAccount(chain.senderKey);
  const sender = new Map<string, TicketSender>();
  const senderFor = (params: TicketParams) => {
    const key = params.recipientRandHash;
    if (!sender.has(key)) sender.set(key, new TicketSender({ account: account() }));
    return sender.get(key) as TicketSender;
  };

  beforeAll(async () => {
    chain = await startPaidChain({ depositWei: parseEth('10') });
    // The session's peer never connects: it must outlive every test here, however loaded the
    // machine (15 s by default).
    orchestrator = await chain.startOrchestrator({
      priceWeiPerSecond: price,
      graceMs: 60_000,
      sessionConnectTimeoutMs: 300_000,
    });
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    const offer = (await pc.createOffer()).sdp ?? '';
    pc.close();
    // The session opens with PeerFrame's JSON upfront payment; the Livepeer wire pays for it after.
    const upfront = await paramsNow();
    const payment = await signPayment(orchestrator.url, senderFor(upfront), 2n * price, upfront);
    const created = await postJson(`${orchestrator.url}/sessions`, {
      sdp: offer,
      pipeline: 'invert',
      payment,
    });
    expect(created.status).toBe(201);
    session = (await created.json()) as { id: string; token: string };
  });
  afterAll(async () => {
    await orchestrator?.close();
    await chain?.close();
  });

  const paramsNow = () =>
    fetchTicketParams(orchestrator.url, new TicketSender({ account: account() }));

  async function payLivepeer(
    params: TicketParams,
    tickets: SignedTicket[],
    expectedPrice: LivepeerPrice | 'none' = livepeerPriceOf(price),
  ): Promise<Response> {
    const header = encodeLivepeerPayment({
      sender: account().address,
      params,
      expectedPrice: expectedPrice === 'none' ? undefined : expectedPrice,
      tickets,
    });
    return fetch(`${orchestrator.url}/sessions/${session.id}/payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, [livepeerPaymentHeader]: header },
    });
  }

  const balance = () => sessionBalance(orchestrator.url, session);

  it('accepts a Livepeer-encoded payment, nonces out of order, and answers a protobuf PaymentResult', async () => {
    const params = await paramsNow();
    const ev = getTicketExpectedValue(params);
    const { tickets } = await senderFor(params).createTicketBatch({ params, amountWei: 5n * ev });
    const before = await balance();
    const res = await payLivepeer(params, [...tickets].reverse());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const result = decodeLivepeerPaymentResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.address).toBe(chain.orchestratorAccount.address);
    expect(result.transcoder).toBe(orchestrator.url);
    expect(result.price).toEqual(livepeerPriceOf(price));
    expect(result.params?.recipient).toBe(chain.orchestratorAccount.address);
    // Credited: 5 tickets' EV, less what a second or so of the session cost meanwhile.
    const after = await balance();
    expect(after).toBeGreaterThan(before + 5n * ev - 10n * price);
  });

  it("accepts a payment whose seed travels short, as go's big.Int.Bytes() sends 1 seed in 256", async () => {
    // The orchestrator's seeds begin with 8 random bytes per params set: ask until one begins
    // with a 0 byte (expected 256 asks; 4 000 miss one with probability 2e-7).
    let params: TicketParams | undefined;
    for (let i = 0; i < 4_000 && !params; i++) {
      const offered = await paramsNow();
      if (offered.seed.startsWith('0x00')) params = offered;
    }
    if (!params) throw new Error('no seed beginning with a 0 byte in 4 000 params sets');
    const ev = getTicketExpectedValue(params);
    const { tickets } = await senderFor(params).createTicketBatch({ params, amountWei: 3n * ev });
    const header = encodeLivepeerPayment({
      sender: account().address,
      params,
      expectedPrice: livepeerPriceOf(price),
      tickets,
    });
    // On the wire the seed (TicketParams field 5) is shorter than 32 bytes, its zeros dropped.
    const seed = Buffer.from(hexToBytes(params.seed));
    const short = seed.subarray(seed.findIndex((byte) => byte !== 0));
    const wire = Buffer.from(header, 'base64');
    expect(short.length).toBeLessThan(32);
    const field5 = Buffer.concat([Buffer.from([(5 << 3) | 2, short.length]), short]);
    expect(wire.indexOf(field5)).not.toBe(-1);
    expect(wire.indexOf(seed)).toBe(-1);

    const before = await balance();
    const res = await payLivepeer(params, tickets);
    expect(res.status).toBe(200);
    const result = decodeLivepeerPaymentResult(new Uint8Array(await res.arrayBuffer()));
    expect(result.params?.recipient).toBe(chain.orchestratorAccount.address);
    expect(await balance()).toBeGreaterThan(before + 3n * ev - 10n * price);
  });

  it('refuses a replayed nonce and takes at most 600 nonces per params', async () => {
    const params = await paramsNow();
    const ev = getTicketExpectedValue(params);
    const { tickets } = await senderFor(params).createTicketBatch({ params, amountWei: 600n * ev });
    expect(tickets).toHaveLength(600);
    // Sent as 2 payments, the second half first.
    expect((await payLivepeer(params, tickets.slice(300))).status).toBe(200);
    expect((await payLivepeer(params, tickets.slice(0, 300))).status).toBe(200);
    const replay = await payLivepeer(params, tickets.slice(0, 1));
    const replayed = (await replay.json()) as ErrorBody;
    expect({ status: replay.status, code: replayed.error.code }).toEqual({
      status: 402,
      code: 'ticket_rejected',
    });
    expect(replayed.error.message).toMatch(/nonce_replay/);
    // The 601st nonce of these params.
    const first = tickets[0] as SignedTicket;
    const ticket = { ...first.ticket, senderNonce: 601n };
    const extra = { ...first, ticket, signature: await signTicket(account(), ticket) };
    const refused = await payLivepeer(params, [extra]);
    const body = (await refused.json()) as ErrorBody;
    expect(refused.status).toBe(402);
    expect(body.error.message).toMatch(/too_many_nonces/);
    expect(body.error.message).toMatch(/invalid ticket senderNonce: too many values/);
  });

  it("refuses a wrong or missing expected_price with go-livepeer's reason", async () => {
    const params = await paramsNow();
    const { tickets } = await senderFor(params).createTicketBatch({
      params,
      amountWei: getTicketExpectedValue(params),
    });
    const before = await balance();
    const wrong = await payLivepeer(params, tickets, livepeerPriceOf(price / 2n));
    const wrongBody = (await wrong.json()) as ErrorBody;
    expect({ status: wrong.status, code: wrongBody.error.code }).toEqual({
      status: 400,
      code: 'expected_price_mismatch',
    });
    expect(wrongBody.error.message).toBe('invalid recipientRand for ticket recipientRandHash');
    const missing = await payLivepeer(params, tickets, 'none');
    const missingBody = (await missing.json()) as ErrorBody;
    expect(missing.status).toBe(400);
    expect(missingBody.error.message).toBe(
      'invalid expected price sent with payment err="expected price is nil"',
    );
    // Nothing was credited; the same tickets with the right price are.
    expect(await balance()).toBeLessThanOrEqual(before);
    expect((await payLivepeer(params, tickets)).status).toBe(200);
  });

  it('answers a header that is not a Payment with a 400 naming the problem', async () => {
    const res = await fetch(`${orchestrator.url}/sessions/${session.id}/payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}`, [livepeerPaymentHeader]: '%%%' },
    });
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, code: body.error.code }).toEqual({
      status: 400,
      code: 'invalid_payment',
    });
    expect(body.error.message).toMatch(/base64/);
  });
});
