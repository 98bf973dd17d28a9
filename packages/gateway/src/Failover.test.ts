import { describe, expect, it } from 'vitest';
import { Failover } from './Failover.ts';
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
      expect(failover.stalled(upstream(0, 1_000), 2_000)).toBe(`no processed ${media} for 1000 ms`);
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
    expect(failover.stalled(gone, 2_000)).toBe(
      'the orchestrator refuses connections, no processed video for 150 ms',
    );
    // A processed frame just in: not yet.
    expect(failover.stalled({ ...gone, lastPacketAt: 1_950 }, 2_000)).toBeUndefined();
  });
});
