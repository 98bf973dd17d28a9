import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import {
  connectProtocol,
  defaultPriceWeiPerSecond,
  defaultTicketParamsOptions,
  getWinningTicketRedemptions,
  isTicketUsed,
  type StoredWinningTicket,
  WinningTicketStore,
} from '@peerframe/protocol';
import {
  parseOrchestratorSessionView,
  parsePipelineOfferList,
  parseStreamPaymentEvent,
  type StreamPaymentEvent,
} from '@peerframe/wire';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

describe('payments through the whole stack (anvil, gateway, orchestrator processes)', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('pays the serving orchestrator every second at its price, and says so on the control channel', async () => {
    stack = await startStack({ chain: true });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    const control = io(`${stack.gatewayUrl}/streams`, { transports: ['websocket'] });
    try {
      // The raw control channel: every event checked against its wire type.
      const payments: StreamPaymentEvent[] = [];
      control.on('payment', (event: unknown) => payments.push(parseStreamPaymentEvent(event)));
      const joined = await control.timeout(5_000).emitWithAck('join', {
        streamId: publisher.streamId,
      });
      expect(joined.ok).toBe(true);
      const startedAt = performance.now();
      const probe = await runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 4_000,
        warmupMs: 1_000,
        expectLuma: (y) => 251 - y,
      });
      // Payments must not disturb the video.
      expect(probe.framesReturned / probe.framesSent).toBeGreaterThan(0.8);
      expect(probe.framesWrongContent).toBe(0);

      const [stream] = await stack.streams();
      if (!stream) throw new Error('no stream');
      expect(stream.priceWeiPerSecond).toBe(defaultPriceWeiPerSecond.toString());
      // 10 s are paid upfront, then each second as it passes: never less than the time used.
      const seconds = BigInt(Math.ceil((performance.now() - startedAt) / 1000));
      expect(BigInt(stream.spentWei)).toBeGreaterThanOrEqual(defaultPriceWeiPerSecond * 10n);
      // Tickets are worth their expected value: the last one may pay ahead, up to one ticket.
      const ticketEv = defaultTicketParamsOptions.expectedValueWei;
      expect(BigInt(stream.spentWei)).toBeLessThanOrEqual(
        defaultPriceWeiPerSecond * (10n + seconds) + 2n * ticketEv,
      );
      const session = await stack.session(stream.orchestratorSessionId);
      expect(BigInt(parseOrchestratorSessionView(session).balanceWei)).toBeGreaterThan(0n);

      expect(payments.length).toBeGreaterThanOrEqual(3);
      for (const event of payments) {
        expect(event.priceWeiPerSecond).toBe(defaultPriceWeiPerSecond.toString());
        expect(BigInt(event.balanceWei)).toBeGreaterThan(0n);
      }
      const spent = payments.map((p) => BigInt(p.spentWei));
      expect(spent).toEqual([...spent].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    } finally {
      control.close();
      await publisher.close();
    }
  });

  it('lists pipelines with their price, and a stream key below every price gets a clear 503', async () => {
    stack = await startStack({ chain: true, adminToken: 'admin-secret' });
    const { pipelines } = parsePipelineOfferList(
      await (await fetch(`${stack.gatewayUrl}/pipelines`)).json(),
    );
    expect(pipelines.find((p) => p.name === 'invert')).toMatchObject({
      state: 'ready',
      priceWeiPerSecond: defaultPriceWeiPerSecond.toString(),
    });
    const created = await fetch(`${stack.gatewayUrl}/admin/stream-keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ maxPriceWeiPerSecond: String(defaultPriceWeiPerSecond - 1n) }),
    });
    const { key } = (await created.json()) as { key: string };
    await expect(
      NodeWhipPublisher.connect({ whipUrl: stack.whipUrl, pipeline: 'invert', token: key }),
    ).rejects.toThrow(/at most 99999999999 wei\/s; the cheapest asks 100000000000/);
  });

  it('discovers orchestrators on chain and picks one within the stream price, never an over-priced one', async () => {
    // Stakes rise with the index (1 000, 2 000, 3 000 LPT): the most staked is the dearest.
    // Tickets of EV 1e12: at the default EV (8e9) the 10 s upfront of the two dearer ones would
    // take more than the 600 tickets one params set takes, and they would refuse to start.
    const prices = [10n ** 11n, 5n * 10n ** 11n, 10n ** 13n];
    stack = await startStack({
      chain: true,
      orchestrators: 3,
      orchestratorPricesWeiPerSecond: prices,
      orchestratorArgs: ['--ticket-ev-wei', String(10n ** 12n)],
      adminToken: 'admin-secret',
    });
    const { orchestrators } = (await (await fetch(`${stack.gatewayUrl}/orchestrators`)).json()) as {
      orchestrators: { url: string; stakeWei?: string }[];
    };
    expect(orchestrators.map((o) => o.url).sort()).toEqual(
      stack.nodes
        .filter((n) => n.role === 'orchestrator')
        .map((n) => n.url)
        .sort(),
    );
    const created = await fetch(`${stack.gatewayUrl}/admin/stream-keys`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' },
      body: JSON.stringify({ maxPriceWeiPerSecond: String(6n * 10n ** 11n), maxStreams: 10 }),
    });
    const { key } = (await created.json()) as { key: string };
    const dear = stack.nodes[2]?.url;
    const picked = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const publisher = await NodeWhipPublisher.connect({
        whipUrl: stack.whipUrl,
        pipeline: 'passthrough',
        token: key,
      });
      try {
        const [stream] = (await stack.streams()).filter((s) => s.id === publisher.streamId);
        if (!stream) throw new Error('stream not listed');
        picked.add(stream.orchestrator);
        expect(stream.orchestrator).not.toBe(dear);
        expect(BigInt(stream.priceWeiPerSecond)).toBeLessThanOrEqual(6n * 10n ** 11n);
      } finally {
        await publisher.close();
      }
    }
    expect(picked.size).toBeGreaterThanOrEqual(1);
  });

  it('moves the stream when its orchestrator refuses the payments, and pays the next one', async () => {
    // 10 tickets a second (EV 1e12, set here: the default EV, 8e9, makes 1 250 a second at this
    // price), so that a refused payment shows within a second; the 10 s upfront (1e14 wei) is
    // above the gateway's default limit per payment.
    stack = await startStack({
      chain: true,
      orchestrators: 2,
      faultInjection: true,
      priceWeiPerSecond: 10n ** 13n,
      orchestratorArgs: ['--ticket-ev-wei', String(10n ** 12n)],
      gatewayArgs: ['--max-total-ev-wei', String(10n ** 15n)],
    });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    try {
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 9_000,
        warmupMs: 1_000,
        expectLuma: (y) => 251 - y,
      });
      const [before] = await stack.streams();
      if (!before) throw new Error('no stream');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await stack.injectFaults(before.id, { corruptPayments: true, durationMs: 20_000 });
      await expect
        .poll(async () => (await stack?.streams())?.[0]?.swaps, { timeout: 10_000, interval: 200 })
        .toBe(1);
      const [after] = await stack.streams();
      expect(after?.orchestrator).not.toBe(before.orchestrator);
      // The new orchestrator is paid, and counted on top of what the first one got.
      await expect
        .poll(async () => BigInt((await stack?.streams())?.[0]?.balanceWei ?? '0'), {
          timeout: 5_000,
        })
        .toBeGreaterThan(0n);
      expect(BigInt(after?.spentWei ?? '0')).toBeGreaterThan(BigInt(before.spentWei));
      const result = await probe;
      expect(result.framesWrongContent).toBe(0);
      // The video went on after the move (to the end of the probe).
      expect(Math.max(...result.samples.map(([n]) => n))).toBeGreaterThan(result.framesSent - 60);
    } finally {
      await publisher.close();
    }
  });

  it('redeems, exactly once, the winners a killed orchestrator left pending, after it restarts', async () => {
    // High stakes so that many tickets win: 0.1 ETH/s in tickets of EV 0.01 ETH (face value
    // ~0.05 ETH at anvil's gas price: one in five wins). Redemptions wait above a 1 wei gas price.
    stack = await startStack({
      chain: true,
      priceWeiPerSecond: 10n ** 17n,
      orchestratorArgs: [
        '--ticket-ev-wei',
        String(10n ** 16n),
        '--upfront-seconds',
        '2',
        '--max-gas-price-wei',
        '1',
      ],
      // Tickets far dearer than the gateway accepts by default (3e12 wei each, 2e13 a payment).
      gatewayArgs: [
        '--max-ticket-ev-wei',
        String(10n ** 16n),
        '--max-total-ev-wei',
        String(10n ** 18n),
      ],
    });
    const storePath = `${stack.dev.dataDir}/orchestrator-0.sqlite`;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    let pending: StoredWinningTicket[] = [];
    try {
      const probe = runFrameProbe(publisher, { widthPx: 160, heightPx: 120, durationMs: 3_000 });
      await expect
        .poll(
          () => {
            const store = WinningTicketStore.open({ path: storePath });
            try {
              pending = store.list('pending');
            } finally {
              store.close();
            }
            return pending.length;
          },
          { timeout: 10_000, interval: 250 },
        )
        .toBeGreaterThanOrEqual(3);
      await probe;
    } finally {
      await publisher.close();
    }
    const orchestrator = stack.nodes[0];
    if (!orchestrator) throw new Error('no orchestrator');
    process.kill(orchestrator.pid, 'SIGKILL');

    const chain = stack.dev.chain;
    if (!chain) throw new Error('no chain');
    const { publicClient, addresses } = await connectProtocol({
      rpcUrl: chain.rpcUrl,
      controller: chain.addresses.controller,
      privateKey: chain.gatewayKey,
    });
    const usedOnChain = (hash: `0x${string}`) =>
      isTicketUsed(publicClient, { addresses, ticketHash: hash });
    const killedWith = pending.map((w) => w.ticketHash);
    for (const hash of killedWith) expect(await usedOnChain(hash)).toBe(false);

    // Same key, secret and store; no gas-price ceiling this time.
    await stack.dev.restartOrchestrator(0, ['--max-gas-price-wei', String(10n ** 30n)]);
    await expect
      .poll(async () => (await Promise.all(killedWith.map(usedOnChain))).every(Boolean), {
        timeout: 30_000,
        interval: 500,
      })
      .toBe(true);

    // Every winner it stored (some may have come after the snapshot above) is settled.
    const unsettled = () => {
      const store = WinningTicketStore.open({ path: storePath });
      try {
        const counts = store.counts();
        return counts.pending + counts.submitted;
      } finally {
        store.close();
      }
    };
    await expect.poll(unsettled, { timeout: 30_000, interval: 500 }).toBe(0);

    // Exactly once: one WinningTicketRedeemed event per winner, none twice.
    const events = await getWinningTicketRedemptions(publicClient, { addresses });
    // A ticket is its params (recipientRand: a winner retires them, the gateway pays on with new
    // ones whose nonces start again at 1) and its nonce.
    const redeemedHashes = events.map((e) =>
      JSON.stringify([e.sender, e.recipient, String(e.recipientRand), String(e.senderNonce)]),
    );
    expect(new Set(redeemedHashes).size).toBe(redeemedHashes.length);
    const store = WinningTicketStore.open({ path: storePath });
    try {
      const all = store.list();
      expect(events.length).toBe(all.filter((w) => w.status === 'redeemed').length);
      for (const hash of killedWith) expect(store.get(hash)?.status).toBe('redeemed');
    } finally {
      store.close();
    }
  });
});
