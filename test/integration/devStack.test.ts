import type { StudioModule } from '@peerframe/cli';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import type * as studio from '@peerframe/studio';
import { describe, expect, it } from 'vitest';
import { spawnDev } from '../helpers/spawnDev.ts';

// The CLI loads the studio by name (packages never import examples); the typecheck holds the studio
// to what the CLI expects of it.
// biome-ignore lint/correctness/noUnusedVariables: a check made by the typecheck, not at run time
const studioFitsTheCli: typeof studio extends StudioModule ? true : false = true;

describe('peerframe dev (what npm start runs)', () => {
  it('starts chain, orchestrators and gateway, streams, and stops cleanly on Ctrl-C', {
    timeout: 120_000,
  }, async () => {
    const { child, out, exited } = spawnDev(['--chain-port', '0', '--orchestrators', '2']);
    try {
      // A cold start compiles the contracts first.
      await expect
        .poll(() => out.stdout, { timeout: 90_000, interval: 200 })
        .toMatch(/Ctrl-C stops it/);
      const whip = /WHIP ingest\s+(http:\/\/127\.0\.0\.1:\d+\/whip)/.exec(
        out.stdout,
      )?.[1] as string;
      const gateway = whip.replace(/\/whip$/, '');
      const orchestrators = [
        ...out.stdout.matchAll(/orchestrator\s+(http:\/\/127\.0\.0\.1:\d+)\/info/g),
      ].map((m) => m[1]);
      expect(orchestrators).toHaveLength(2);
      expect(out.stdout).toMatch(
        /chain\s+http:\/\/127\.0\.0\.1:\d+\s+Controller 0x[0-9a-fA-F]{40}/,
      );
      // No admin token: the banner says the gateway is open, and it is.
      expect(out.stdout).toContain('gateway: open mode (anyone may publish');
      expect((await fetch(`${gateway}/streams`)).status).toBe(200);

      // The gateway found both orchestrators on chain (BondingManager active set + ServiceRegistry).
      const known = (await (await fetch(`${gateway}/orchestrators`)).json()) as {
        orchestrators: { url: string; source: string; stakeWei: string }[];
      };
      expect(known.orchestrators.map((o) => o.url).sort()).toEqual([...orchestrators].sort());
      expect(known.orchestrators.every((o) => o.source === 'chain')).toBe(true);
      // Bonded 1000 and 2000 LPT; each orchestrator calls reward() once a round (`--reward`),
      // which may already have added its share when the gateway reads the active set.
      const stakes = known.orchestrators
        .map((o) => BigInt(o.stakeWei))
        .sort((a, b) => (a < b ? -1 : 1));
      for (const [i, bonded] of [1000n * 10n ** 18n, 2000n * 10n ** 18n].entries()) {
        expect(stakes[i]).toBeGreaterThanOrEqual(bonded);
        expect(stakes[i]).toBeLessThan(bonded + 10n * 10n ** 18n);
      }

      // A stream runs through a chain-discovered orchestrator.
      const publisher = await NodeWhipPublisher.connect({ whipUrl: whip, pipeline: 'invert' });
      try {
        const result = await runFrameProbe(publisher, {
          widthPx: 256,
          heightPx: 192,
          durationMs: 1_500,
          warmupMs: 500,
        });
        expect(result.framesReturned).toBeGreaterThan(30);
        expect(result.framesInverted).toBe(result.framesReturned);
      } finally {
        await publisher.close();
      }
      // Bad input is still a 4xx from the running gateway.
      expect((await fetch(whip, { method: 'POST', body: 'x' })).status).toBe(415);
      // The studio's pages may use the gateway (CORS names their origin); other pages may not.
      const studio = /studio\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out.stdout)?.[1] as string;
      const fromStudio = await fetch(`${gateway}/pipelines`, { headers: { origin: studio } });
      expect(fromStudio.headers.get('access-control-allow-origin')).toBe(studio);
      const fromElsewhere = await fetch(`${gateway}/pipelines`, {
        headers: { origin: 'https://elsewhere.example' },
      });
      expect(fromElsewhere.status).toBe(403);

      child.kill('SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(out.stderr).not.toMatch(/Segmentation|core dumped|exited/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
