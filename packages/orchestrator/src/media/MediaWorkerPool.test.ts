import { describe, expect, it } from 'vitest';
import { MediaWorkerPool } from './MediaWorkerPool.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';

describe('MediaWorkerPool', () => {
  it('keeps two started media threads by default: a second session right after the first waits for none', async () => {
    const pool = new MediaWorkerPool((await NodeAvEngine.create({ hardware: 'off' })).info);
    try {
      // None before it is readied (or taken from): a node that runs no session starts none.
      expect(pool.spares).toBe(0);
      await pool.ready();
      expect(pool.spares).toBe(2);
      const first = await pool.take();
      // Its replacement comes later (refillDelayMs); the next session takes the other one.
      expect(pool.spares).toBe(1);
      await first.close();
      await pool.ready();
      expect(pool.spares).toBe(2);
    } finally {
      await pool.close();
    }
  });
});
