import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

describe('peerframe dev (what npm start runs)', () => {
  it('starts orchestrator and gateway, prints the WHIP URL, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', main, 'dev', '--gateway-port', '0', '--orchestrator-port', '0'],
      { env: { ...process.env, PEERFRAME_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await expect
        .poll(() => stdout, { timeout: 30_000, interval: 100 })
        .toMatch(/Ctrl-C stops it/);
      const whip = /WHIP ingest\s+(http:\/\/127\.0\.0\.1:\d+\/whip)/.exec(stdout)?.[1];
      const info = /orchestrator\s+(http:\/\/127\.0\.0\.1:\d+\/info)/.exec(stdout)?.[1];
      expect(whip).toBeDefined();
      expect(info).toBeDefined();
      const orchestrator = (await (await fetch(info as string)).json()) as {
        pipelines: { name: string }[];
      };
      expect(orchestrator.pipelines.map((p) => p.name)).toContain('invert');
      // The gateway answers WHIP (here: a wrong content type, rejected as it should be).
      const res = await fetch(whip as string, { method: 'POST', body: 'x' });
      expect(res.status).toBe(415);
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stderr).not.toMatch(/Segmentation|core dumped|exited/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
