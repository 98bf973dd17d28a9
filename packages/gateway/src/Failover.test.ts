import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { Failover } from './Failover.ts';
import { LoopStalls } from './LoopStalls.ts';
import type { Upstream } from './Upstream.ts';

/** The fields of an upstream `Failover.stalled` reads. */
function upstream(createdAt: number, lastPacketAt: number | undefined): Upstream {
  return { createdAt, lastPacketAt } as Upstream;
}

describe('Failover.stalled', () => {
  it('names what the orchestrator stopped returning: video, or audio for an audio-only stream', () => {
    for (const media of ['video', 'audio'] as const) {
      const failover = new Failover({}, media);
      // Fed every 20 ms for 2 s; the orchestrator answered until 1 s, then nothing.
      for (let t = 0; t <= 2_000; t += 20) failover.fed(t);
      expect(failover.stalled(upstream(0, 1_000), 2_000)?.shortMessage).toBe(
        `no processed ${media} for 1000 ms`,
      );
      // Still answering: no stall.
      expect(failover.stalled(upstream(0, 1_900), 2_000)).toBeUndefined();
    }
  });

  it('counts no silence while the orchestrator is not fed (a publisher pausing its audio, DTX)', () => {
    const failover = new Failover({}, 'audio');
    for (let t = 0; t <= 1_000; t += 20) failover.fed(t);
    expect(failover.stalled(upstream(0, 900), 1_500)).toBeUndefined();
  });

  it('moves after a few frame intervals of silence from an orchestrator known to be gone', () => {
    const failover = new Failover({});
    for (let t = 0; t <= 2_000; t += 20) failover.fed(t);
    const alive = upstream(0, 1_850);
    // 150 ms of silence: within the stall limit (400 ms) of an orchestrator not known to be gone.
    expect(failover.stalled(alive, 2_000)).toBeUndefined();
    const gone = { ...alive, gone: 'the orchestrator refuses connections' };
    expect(failover.stalled(gone, 2_000)?.shortMessage).toBe(
      'the orchestrator refuses connections, no processed video for 150 ms',
    );
    // A processed frame just in: not yet.
    expect(failover.stalled({ ...gone, lastPacketAt: 1_950 }, 2_000)).toBeUndefined();
  });
});

describe('Failover.stalled on a gateway starved of CPU', () => {
  // Past the capacity knee (or in a cgroup quota) the gateway's loop ran in short bursts between
  // holds of hundreds of ms: the orchestrator's packets waited unread in the socket (or behind
  // the publishers' in the backlog), and the streams failed over, losing 38-76 % of the frames.
  it("does not count the time the gateway's own loop was held as the orchestrator's silence", async () => {
    const loopStalls = new LoopStalls();
    const failover = new Failover({ loopStalls });
    const orchestrator = upstream(performance.now(), undefined);
    const feed = setInterval(() => failover.fed(performance.now()), 20);
    const answer = setInterval(() => {
      orchestrator.lastPacketAt = performance.now();
    }, 20);
    try {
      // Fed and answering for longer than the grace after a gap in the input.
      await sleep(1_200);
      clearInterval(answer);
      // Starved: the loop held 250 ms at a time; each burst between reads the publisher's
      // packets, and only the third the orchestrator's (the rest wait in its socket).
      for (let burst = 1; burst <= 6; burst++) {
        const heldFrom = performance.now();
        while (performance.now() - heldFrom < 250) {
          // held
        }
        failover.fed(performance.now());
        if (burst === 3) orchestrator.lastPacketAt = performance.now();
        expect(failover.stalled(orchestrator, performance.now())).toBeUndefined();
      }
      // An orchestrator silent while the loop runs is still lost (later on a loaded machine,
      // where the test's own thread waits for a CPU: that time does not count either).
      await vi.waitFor(
        () => expect(failover.stalled(orchestrator, performance.now())).toBeDefined(),
        { timeout: 20_000 },
      );
      expect(failover.stalled(orchestrator, performance.now())?.shortMessage).toMatch(
        /^no processed video for \d+ ms \(\d+ ms of it the gateway's loop was held\)$/,
      );
    } finally {
      clearInterval(feed);
      clearInterval(answer);
      loopStalls.close();
    }
  });
});
