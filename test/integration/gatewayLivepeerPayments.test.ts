import { installWrtcExitGuard } from '@peerframe/core/wrtc';
import type { StreamPayment } from '@peerframe/gateway';
import { defaultPriceWeiPerSecond, type TicketSender } from '@peerframe/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PaidNodes, startPaidNodes } from '../helpers/startPaidNodes.ts';

installWrtcExitGuard();

const price = 1_000_000_000_000n; // wei per second

/** `peerframe_orchestrator_payment_tickets_total` of one encoding and result, from `/metrics`. */
async function ticketsCounted(url: string, encoding: string, result: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(
        `peerframe_orchestrator_payment_tickets_total{encoding="${encoding}",result="${result}"}`,
      ),
    );
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/**
 * Which params each batch of `sender` is signed against, and the batches it refused (the sender
 * itself signs, unchanged).
 */
function watchBatches(sender: TicketSender): { paramsUsed: Set<string>; refusals: unknown[] } {
  const paramsUsed = new Set<string>();
  const refusals: unknown[] = [];
  const createTicketBatch = sender.createTicketBatch.bind(sender);
  sender.createTicketBatch = async (input) => {
    paramsUsed.add(input.params.recipientRandHash);
    try {
      return await createTicketBatch(input);
    } catch (error) {
      refusals.push(error);
      throw error;
    }
  };
  return { paramsUsed, refusals };
}

// Issue 20, items 1 and 2: the gateway pays an orchestrator that speaks go-livepeer's payment wire.
describe("a gateway paying over go-livepeer's payment wire (real anvil, in-process nodes)", () => {
  let nodes: PaidNodes;
  beforeAll(async () => {
    nodes = await startPaidNodes();
  });
  afterAll(async () => {
    await nodes?.close();
  });

  it('/info names the encodings; a stream pays its running session in Livepeer-Payment headers', async () => {
    // The default price and ticket params: 12.5 tickets a second (EV 8e9, go-livepeer's).
    const orchestrator = await nodes.startOrchestrator({
      priceWeiPerSecond: defaultPriceWeiPerSecond,
    });
    const info = (await (await fetch(`${orchestrator.server.url}/info`)).json()) as {
      payments: { paymentEncodings?: string[] };
    };
    expect(info.payments.paymentEncodings).toEqual(['json', 'livepeer']);

    const { gateway, payments: gatewayPayments } = await nodes.startGateway(
      [orchestrator.server.url],
      { paymentEncoding: 'livepeer' },
      { publisherConnectTimeoutMs: 30_000 },
    );
    const { paramsUsed } = watchBatches(gatewayPayments.sender);
    // The publisher never connects: its stream waits 30 s for it, paying every second meanwhile.
    const { status, streamId } = await nodes.publish(gateway.url);
    expect(status).toBe(201);
    const stream = gateway.streams.get(streamId ?? '');
    if (!stream) throw new Error('no stream');
    const payments: StreamPayment[] = [];
    stream.on('payment', (payment) => payments.push(payment));
    const url = orchestrator.server.url;
    // The upfront payment is JSON (POST /sessions); everything after travels as protobuf.
    const upfront = await ticketsCounted(url, 'json', 'accepted');
    expect(upfront).toBeGreaterThan(0);
    await expect
      .poll(() => ticketsCounted(url, 'livepeer', 'accepted'), { timeout: 12_000 })
      .toBeGreaterThanOrEqual(3);
    expect(await ticketsCounted(url, 'json', 'accepted')).toBe(upfront);
    expect(await ticketsCounted(url, 'livepeer', 'refused')).toBe(0);
    expect(await ticketsCounted(url, 'json', 'refused')).toBe(0);

    // Each PaymentResult's fresh params pay the next second: params of /info paid the upfront
    // and the first second, and at least two sets from PaymentResults followed. The session
    // stays paid ahead. (Three tickets may come in one or two payments: wait for the third set.)
    await expect.poll(() => paramsUsed.size, { timeout: 12_000 }).toBeGreaterThanOrEqual(3);
    const [sessionId] = orchestrator.payments.recipient.sessionIds;
    expect(orchestrator.payments.balance(sessionId ?? '')).toBeGreaterThan(0n);
    expect(payments.length).toBeGreaterThan(0);
    expect(payments.at(-1)?.spentWei).toBeGreaterThan(defaultPriceWeiPerSecond);
    expect(stream.stats().swaps).toBe(0);
  });

  it('fetches fresh params before a payment would pass the nonces per params: no batch refused', async () => {
    // One ticket a second (EV = price, set here: the default EV, 8e9, makes 125 a second at this
    // price). 12 nonces per params: the upfront payment takes about 10, so the stream's seconds
    // reach the cap within about 2 s, and again every 12 s after: the third set is signed about
    // 14 s in (the publisher never connects; its stream pays for 30 s).
    const orchestrator = await nodes.startOrchestrator({
      priceWeiPerSecond: price,
      ticketParams: { expectedValueWei: price },
    });
    const { gateway, payments: gatewayPayments } = await nodes.startGateway(
      [orchestrator.server.url],
      { maxNoncesPerParams: 12 },
      { publisherConnectTimeoutMs: 30_000 },
    );
    const { paramsUsed, refusals } = watchBatches(gatewayPayments.sender);
    const { status, streamId } = await nodes.publish(gateway.url);
    expect(status).toBe(201);
    const stream = gateway.streams.get(streamId ?? '');
    if (!stream) throw new Error('no stream');
    await expect.poll(() => paramsUsed.size, { timeout: 25_000 }).toBeGreaterThanOrEqual(3);
    // Every batch was signed: the cap was never hit (it would throw TicketParamsExhaustedError,
    // a failed attempt), and the orchestrator took every ticket.
    expect(refusals).toEqual([]);
    const url = orchestrator.server.url;
    expect(await ticketsCounted(url, 'json', 'accepted')).toBeGreaterThan(12);
    expect(await ticketsCounted(url, 'json', 'refused')).toBe(0);
    expect(stream.stats().swaps).toBe(0);
  });
});
