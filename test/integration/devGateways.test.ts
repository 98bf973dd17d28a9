import { NodeWhepViewer, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { describe, expect, it } from 'vitest';
import { spawnDev } from '../helpers/spawnDev.ts';

/** `peerframe dev` without chain or studio. */
function dev(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnDev(['--no-chain', '--no-studio', ...args], env);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('peerframe dev --gateways 2 (npm start -- --gateways 2)', () => {
  it('starts two gateways on a private redis-server; a stream published on one plays on the other', {
    timeout: 90_000,
  }, async () => {
    const { child, out, exited } = dev(['--gateways', '2']);
    try {
      await expect
        .poll(() => out.stdout, { timeout: 60_000, interval: 200 })
        .toMatch(/Ctrl-C stops it/);
      const first = /WHIP ingest\s+(http:\/\/127\.0\.0\.1:\d+)\/whip/.exec(out.stdout)?.[1];
      const second =
        /gateway\s+(http:\/\/127\.0\.0\.1:\d+)\/whip\s+\(shares keys and streams through redis-server pid (\d+)\)/.exec(
          out.stdout,
        );
      expect(first).toBeDefined();
      expect(second).not.toBeNull();
      const redisPid = Number(second?.[2]);
      expect(alive(redisPid)).toBe(true);

      const publisher = await NodeWhipPublisher.connect({
        whipUrl: `${second?.[1]}/whip`,
        pipeline: 'invert',
      });
      try {
        const path = new URL(publisher.playbackUrl as string).pathname;
        const viewer = await NodeWhepViewer.connect({ whepUrl: `${first}${path}` });
        let frames = 0;
        viewer.on('frame', () => frames++);
        try {
          await runFrameProbe(publisher, { widthPx: 256, heightPx: 192, durationMs: 2_000 });
          expect(frames).toBeGreaterThan(20);
        } finally {
          await viewer.close();
        }
      } finally {
        await publisher.close();
      }

      child.kill('SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
      // The private redis-server stopped with the stack.
      expect(alive(redisPid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says what is missing when redis-server is not installed', async () => {
    const { out, exited } = dev(['--gateways', '2'], { PATH: '/nonexistent' });
    expect((await exited).code).toBe(1);
    expect(out.stderr).toContain('apt-get install redis-server');
    expect(out.stderr).toContain('PEERFRAME_REDIS_URL');
  });
});
