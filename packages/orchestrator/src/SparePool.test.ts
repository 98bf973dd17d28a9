import { createLogger } from '@peerframe/core';
import { describe, expect, it } from 'vitest';
import { SparePool } from './SparePool.ts';

/** A pool of numbered spares; `started` counts the spares it started. */
function pool(options: { spares: number; refillDelayMs: number; startOnFirstTake?: boolean }) {
  let started = 0;
  const spares = new SparePool<number>({
    ...options,
    start: async () => ++started,
    end: async () => undefined,
    log: createLogger('test'),
    what: 'spare',
  });
  return { spares, started: () => started };
}

describe('SparePool', () => {
  it('fill() starts the replacement of a taken spare at once, not refillDelayMs later', async () => {
    const { spares, started } = pool({ spares: 2, refillDelayMs: 3_600_000 });
    await spares.fill();
    expect(spares.size).toBe(2);
    expect(await spares.take(async () => -1)).toBe(1);
    // The second taker of a burst finds a started spare too.
    expect(spares.size).toBe(1);
    await spares.fill();
    expect(spares.size).toBe(2);
    expect(started()).toBe(3);
    expect(await spares.take(async () => -1)).toBe(2);
    expect(await spares.take(async () => -1)).toBe(3);
    // None left: the next is started on demand.
    expect(await spares.take(async () => -1)).toBe(-1);
    await spares.close();
  });

  it('fill() starts the spares of a pool that starts on its first take', async () => {
    const { spares, started } = pool({ spares: 1, refillDelayMs: 0, startOnFirstTake: true });
    expect(spares.size).toBe(0);
    await spares.fill();
    expect(started()).toBe(1);
    expect(await spares.take(async () => -1)).toBe(1);
    await spares.close();
    // Closed: nothing more is started.
    await spares.fill();
    expect(spares.size).toBe(0);
  });
});
