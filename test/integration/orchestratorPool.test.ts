import { startDevChain } from '@peerframe/cli';
import { HttpError } from '@peerframe/core';
import { OrchestratorPool, OrchestratorStalledError, PaymentError } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('OrchestratorPool', () => {
  let full: OrchestratorServer;
  let a: OrchestratorServer;
  let b: OrchestratorServer;
  beforeAll(async () => {
    full = await OrchestratorServer.create({ maxSessions: 0 });
    a = await OrchestratorServer.create();
    b = await OrchestratorServer.create();
  });
  afterAll(async () => {
    await Promise.all([full?.close(), a?.close(), b?.close()]);
  });

  const picks = (pool: OrchestratorPool, pipeline: string, n = 40) =>
    new Set(Array.from({ length: n }, () => pool.select(pipeline).url));

  it('reads /info and never picks an orchestrator without free capacity', async () => {
    const pool = await OrchestratorPool.create({ urls: [full.url, a.url] });
    try {
      expect(picks(pool, 'invert')).toEqual(new Set([a.url]));
      const views = pool.list();
      expect(views.find((v) => v.url === full.url)?.freeSessions).toBe(0);
      expect(views.find((v) => v.url === a.url)?.pipelines).toContain('invert');
      // Offers say what each pipeline processes, as the orchestrators' /info does.
      const media = Object.fromEntries(pool.pipelines().map((p) => [p.name, p.media]));
      expect(media).toMatchObject({ invert: ['video'], 'noise-suppression': ['audio'] });
      expect(views.every((v) => typeof v.rttMs === 'number')).toBe(true);
    } finally {
      pool.close();
    }
  });

  it('refuses a pipeline nobody offers with a 400 naming the ones that exist', async () => {
    const pool = await OrchestratorPool.create({ urls: [a.url, b.url] });
    try {
      const error = (() => {
        try {
          pool.select('deep-dream');
        } catch (e) {
          return e;
        }
      })() as HttpError;
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(400);
      expect(error.code).toBe('unknown_pipeline');
      expect(error.shortMessage).toMatch(/"deep-dream"; known pipelines: .*invert.*passthrough/);
    } finally {
      pool.close();
    }
  });

  it('spreads streams, avoids a failed orchestrator while another is healthy, and uses it as a last resort', async () => {
    const pool = await OrchestratorPool.create({ urls: [a.url, b.url] });
    try {
      expect(picks(pool, 'passthrough')).toEqual(new Set([a.url, b.url]));
      // Silent while the gateway's own loop was held most of the time: not a's fault.
      pool.reportFailure(a.url, new OrchestratorStalledError('no processed video', 900, 700));
      expect(picks(pool, 'passthrough')).toEqual(new Set([a.url, b.url]));
      pool.reportFailure(a.url);
      expect(picks(pool, 'passthrough')).toEqual(new Set([b.url]));
      // Only the suspended one is left when b is excluded.
      expect(pool.select('passthrough', new Set([b.url])).url).toBe(a.url);
      expect(() => pool.select('passthrough', new Set([a.url, b.url]))).toThrow(
        /No orchestrator can take/,
      );
      expect(pool.list().find((v) => v.url === a.url)).toMatchObject({
        failures: 1,
        suspended: true,
      });
    } finally {
      pool.close();
    }
  });

  it('keeps an orchestrator whose payment terms were refused out for longer, and says why', async () => {
    const pool = await OrchestratorPool.create({
      urls: [a.url, b.url],
      suspendMs: 1,
      refusedTermsSuspendMs: 60_000,
    });
    try {
      pool.reportFailure(
        a.url,
        new PaymentError('ticket_ev_too_high', 'EV 1e18 > 3e12', { blame: 'orchestrator' }),
      );
      // An ordinary failure of b is over in 1 ms; a's refused terms keep it out.
      pool.reportFailure(b.url, new HttpError(502, 'orchestrator_error', 'boom'));
      await expect.poll(() => pool.list().find((v) => v.url === b.url)?.suspended).toBe(false);
      expect(picks(pool, 'passthrough')).toEqual(new Set([b.url]));
      expect(pool.list().find((v) => v.url === a.url)).toMatchObject({
        failures: 1,
        refusedTerms: 1,
        lastFailure: 'ticket_ev_too_high',
        suspended: true,
      });
      expect(pool.list().find((v) => v.url === b.url)).toMatchObject({
        refusedTerms: 0,
        lastFailure: 'orchestrator_error',
      });
      expect(() => pool.select('passthrough', new Set([a.url, b.url]))).toThrow(
        `${a.url}: ticket_ev_too_high`,
      );
    } finally {
      pool.close();
    }
  });

  it('keeps an orchestrator it has not heard from as a candidate', async () => {
    const pool = await OrchestratorPool.create({ urls: ['http://127.0.0.1:9', a.url] });
    try {
      expect(pool.list().find((v) => v.url === 'http://127.0.0.1:9')?.rttMs).toBeUndefined();
      // Not every orchestrator described its pipelines: no 400, the candidates decide.
      expect(picks(pool, 'deep-dream', 10).size).toBeGreaterThan(0);
    } finally {
      pool.close();
    }
  });
});

describe('OrchestratorPool on chain', () => {
  it('logs the orchestrators it discovered on its first read, then only when the set changes', {
    timeout: 120_000,
  }, async () => {
    const chain = await startDevChain({ host: '127.0.0.1', port: 0, orchestrators: 1 });
    const lines: { msg: string; onChain: number; added: string[]; removed: string[] }[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const pool = await OrchestratorPool.create({
      urls: [],
      // Refreshed by hand below, not by the timer.
      chain: {
        rpcUrl: chain.rpcUrl,
        controller: chain.addresses.controller as `0x${string}`,
        refreshIntervalMs: 3_600_000,
      },
      logger,
    });
    const discovered = () => lines.filter((l) => l.msg === 'orchestrators discovered');
    try {
      expect(discovered()).toMatchObject([{ onChain: 0, added: [], removed: [] }]);
      expect(await pool.refreshChain()).toBe(0);
      expect(discovered()).toHaveLength(1);

      await chain.registerOrchestrators(['http://127.0.0.1:9']);
      expect(await pool.refreshChain()).toBe(1);
      expect(discovered()).toHaveLength(2);
      expect(discovered()[1]).toMatchObject({ onChain: 1, added: ['http://127.0.0.1:9'] });
      // The same active set read again: nothing new to say.
      expect(await pool.refreshChain()).toBe(1);
      expect(await pool.refreshChain()).toBe(1);
      expect(discovered()).toHaveLength(2);
    } finally {
      pool.close();
      await chain.close();
    }
  });
});
