import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import type { OrchestratorView } from '@peerframe/wire';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bareOffer,
  expectFramesBack,
  expectPublishWorks,
  type InProcessStack,
  postAnswered,
  postSdp,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

// Item 9 of issue 13: WHIP offers that never complete ICE held every orchestrator slot for 15 s,
// and the 503s that followed counted as failures of the orchestrator and suspended it.
describe('gateway: publishers that never connect (issue 13, item 9)', () => {
  let stack: InProcessStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  const attacker = { localAddress: '127.0.0.2' };

  it('refuses a third unconnected publisher from one client; other clients still publish', async () => {
    stack = await startInProcessStack({ orchestrators: [{ maxSessions: 3 }] });
    const { gateway } = stack;
    const whip = `${gateway.whipUrl}?pipeline=passthrough`;
    const offer = await bareOffer('sendrecv');
    await postAnswered(whip, offer, attacker, 2);
    const third = await postSdp(whip, offer, attacker);
    expect({ status: third.status, code: third.code }).toEqual({
      status: 429,
      code: 'too_many_pending',
    });
    expect(third.headers['retry-after']).toBe('3');
    // Nothing lost: the slot the third would have held is someone else's.
    expect(stack.orchestrators[0]?.sessions.size).toBe(2);
    await expectPublishWorks(gateway.whipUrl);
  });

  it('ends a publisher that never connects within about 3 s, freeing its orchestrator slot', async () => {
    stack = await startInProcessStack({ orchestrators: [{ maxSessions: 2 }] });
    const { gateway } = stack;
    const orchestrator = stack.orchestrators[0];
    const offer = await bareOffer('sendrecv');
    const whip = `${gateway.whipUrl}?pipeline=passthrough`;
    await postAnswered(whip, offer, attacker, 2);
    expect(orchestrator?.sessions.size).toBe(2);
    await expect.poll(() => gateway.streams.size, { timeout: 6_000, interval: 100 }).toBe(0);
    await expect.poll(() => orchestrator?.sessions.size, { timeout: 2_000 }).toBe(0);
    // Nothing lost: the freed slots take real streams.
    await expectPublishWorks(gateway.whipUrl);
  });

  it('refuses a stream with 503 capacity_exhausted when the orchestrator is full, without suspending it', async () => {
    // The gateway's view of free capacity stays what /info said at start, so the full
    // orchestrator is tried and its 503 seen.
    stack = await startInProcessStack({
      orchestrators: [{ maxSessions: 1 }],
      gateway: { infoIntervalMs: 600_000 },
    });
    const { gateway } = stack;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'invert',
    });
    try {
      const full = await postSdp(
        `${gateway.whipUrl}?pipeline=passthrough`,
        await bareOffer('sendrecv'),
        attacker,
      );
      expect({ status: full.status, code: full.code }).toEqual({
        status: 503,
        code: 'capacity_exhausted',
      });
      const views = (await (await fetch(`${gateway.url}/orchestrators`)).json()) as {
        orchestrators: OrchestratorView[];
      };
      expect(
        views.orchestrators.map(({ failures, suspended }) => ({ failures, suspended })),
      ).toEqual([{ failures: 0, suspended: false }]);
      // Nothing lost: the stream that fills it goes on.
      await expectFramesBack(publisher);
    } finally {
      await publisher.close();
    }
  });
});
