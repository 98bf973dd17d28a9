import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import {
  connectProtocol,
  getWinningTicketRedemptions,
  isTicketUsed,
  WinningTicketStore,
} from '@peerframe/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

/** Counts of a winning-ticket store, read while its orchestrator holds it open. */
function storeCounts(path: string) {
  const store = WinningTicketStore.open({ path });
  try {
    const winners = store.list();
    return {
      ...store.counts(),
      hashes: winners.map((w) => w.ticketHash),
      // What is still to settle, and why, so a failure says where a ticket stuck.
      unsettled: winners
        .filter((w) => w.status === 'pending' || w.status === 'submitted')
        .map((w) => `${w.status}, ${w.attempts} attempts: ${w.reason ?? 'no reason yet'}`),
    };
  } finally {
    store.close();
  }
}

describe('chaos: the network keeps streaming through failures', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('keeps streaming while the chain is down 60 s; every winner of that time is redeemed once it returns', async () => {
    // 0.02 ETH/s in tickets of EV 0.01 ETH (face value ~0.05 ETH: one ticket in five wins), so
    // about 25 winners pile up while the chain is away; redemptions go one by one after.
    stack = await startStack({
      chain: true,
      priceWeiPerSecond: 2n * 10n ** 16n,
      orchestratorArgs: ['--ticket-ev-wei', String(10n ** 16n), '--upfront-seconds', '2'],
      // Tickets far dearer than the gateway accepts by default (3e12 wei each, 2e13 a payment).
      gatewayArgs: [
        '--max-ticket-ev-wei',
        String(10n ** 16n),
        '--max-total-ev-wei',
        String(10n ** 18n),
      ],
    });
    const chain = stack.dev.chain;
    if (!chain) throw new Error('no chain');
    const storePath = `${stack.dev.dataDir}/orchestrator-0.sqlite`;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    let resumed = false;
    try {
      const probe = runFrameProbe(publisher, { widthPx: 160, heightPx: 120, durationMs: 75_000 });
      // Winners flow and are redeemed while the chain is up. One in five tickets wins, two a second:
      // a winner comes within seconds, but its redemption may wait out a retry's backoff (once,
      // in CI, none was redeemed within 15 s); a failure shows the store's counts and why
      // each winner is still unsettled.
      await expect
        .poll(
          () => {
            const counts = storeCounts(storePath);
            return counts.redeemed > 0 ? 'redeemed' : counts;
          },
          { timeout: 45_000, interval: 500 },
        )
        .toBe('redeemed');
      const before = storeCounts(storePath);
      process.kill(chain.pid, 'SIGSTOP');
      try {
        await new Promise((resolve) => setTimeout(resolve, 60_000));
        // Tickets kept coming and winning; none could be redeemed.
        const during = storeCounts(storePath);
        expect(during.pending + during.submitted).toBeGreaterThan(0);
        expect(during.redeemed).toBeLessThanOrEqual(before.redeemed + 1);
        const [stream] = await stack.streams();
        expect(stream?.state).toBe('live');
        expect(stream?.swaps).toBe(0);
      } finally {
        process.kill(chain.pid, 'SIGCONT');
        resumed = true;
      }
      const result = await probe;
      // Frames came back to the end (sampled at 160×120: the video never stopped).
      expect(Math.max(...result.samples.map(([n]) => n))).toBeGreaterThan(result.framesSent - 60);
    } finally {
      if (!resumed) process.kill(chain.pid, 'SIGCONT');
      await publisher.close();
    }
    // Redemptions go one at a time (~1 s each here) and a ticket that failed during the outage
    // waits out its backoff (up to 30 s) first; on a loaded CI machine 90 s once left 1 of them.
    await expect
      .poll(() => storeCounts(storePath).unsettled, { timeout: 150_000, interval: 500 })
      .toEqual([]);
    const after = storeCounts(storePath);
    expect(after.failed).toBe(0);
    const { publicClient, addresses } = await connectProtocol({
      rpcUrl: chain.rpcUrl,
      controller: chain.addresses.controller,
      privateKey: chain.gatewayKey,
    });
    for (const hash of after.hashes) {
      expect(await isTicketUsed(publicClient, { addresses, ticketHash: hash })).toBe(true);
    }
    const events = await getWinningTicketRedemptions(publicClient, { addresses });
    // One redemption per winner: none lost, none twice.
    expect(events.length).toBe(after.redeemed);
  }, 300_000);

  it('keeps latency bounded when the pipeline is too slow: frames are dropped, not queued', async () => {
    stack = await startStack({ faultInjection: true });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'passthrough',
    });
    try {
      const probeStarted = performance.now();
      const probe = runFrameProbe(publisher, { widthPx: 320, heightPx: 240, durationMs: 9_000 });
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const [session] = await stack.sessions();
      if (!session) throw new Error('no session');
      const slowFrom = performance.now();
      // 150 ms a frame: at most ~6 fps get through a 30 fps stream for 3 s.
      await stack.slowPipeline(session.id, { pipelineDelayMs: 150, durationMs: 3_000 });
      const result = await probe;
      const slowStartMs = slowFrom - probeStarted;
      const during = result.samples.filter(
        ([, , at]) => at > slowStartMs + 500 && at < slowStartMs + 3_000,
      );
      const after = result.samples.filter(([, , at]) => at > slowStartMs + 4_500);
      // During the slow spell frames got through, each no older than a few pipeline runs…
      expect(during.length).toBeGreaterThan(5);
      expect(Math.max(...during.map(([, ms]) => ms))).toBeLessThan(1_000);
      // …and afterwards latency is back to normal at once: no backlog to drain.
      const afterSorted = after.map(([, ms]) => ms).sort((a, b) => a - b);
      expect(afterSorted[Math.floor(afterSorted.length / 2)] ?? Infinity).toBeLessThan(200);
      const [view] = await stack.sessions();
      expect(view?.framesDropped ?? 0).toBeGreaterThan(30);
    } finally {
      await publisher.close();
    }
  });
});
