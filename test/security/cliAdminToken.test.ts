import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  commandLineOf,
  descendantPids,
  type PeerframeProcess,
  quickDevArgs,
  runPeerframe,
  startPeerframe,
} from '../helpers/peerframeProcess.ts';

// Issue 13, item 12: `npm start -- --admin-token X` was ignored: the gateway ran open and said
// nothing. A token on the command line is refused (any user can read it in /proc/<pid>/cmdline),
// PEERFRAME_ADMIN_TOKEN or --admin-token-file (mode 0600) sets it, and the banner says the mode.

const dir = mkdtempSync(join(tmpdir(), 'peerframe-admin-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const banner = /Ctrl-C stops it/;

function tokenFile(name: string, token: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, `${token}\n`);
  chmodSync(path, mode);
  return path;
}

/** Starts `peerframe dev …`, and once it is up returns its gateway URL; stops it afterwards. */
async function withDev(
  args: string[],
  env: Record<string, string>,
  use: (dev: PeerframeProcess, gatewayUrl: string) => Promise<void>,
): Promise<void> {
  const dev = startPeerframe([...quickDevArgs, ...args], env);
  try {
    const up = await dev.waitFor(banner, 90_000);
    expect(Array.isArray(up), `dev exited: ${dev.stderr()}`).toBe(true);
    const gatewayUrl = /gateway\s+(http:\/\/127\.0\.0\.1:\d+)\/streams/.exec(dev.stdout())?.[1];
    if (!gatewayUrl) throw new Error(`no gateway URL in:\n${dev.stdout()}`);
    await use(dev, gatewayUrl);
    expect(await dev.stop()).toEqual({ code: 0, signal: null });
  } finally {
    await dev.stop();
  }
}

const status = async (url: string, token?: string) =>
  (await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;

describe('item 12: the admin token reaches the gateway, never through arguments', () => {
  it('refuses --admin-token on the command line, saying how to pass it; starts nothing', {
    timeout: 120_000,
  }, async () => {
    const token = `admin-${randomBytes(8).toString('hex')}`;
    // What `npm start -- --admin-token X` runs. Before the fix the stack started, open.
    const dev = startPeerframe([...quickDevArgs, '--admin-token', token]);
    try {
      const first = await dev.waitFor(banner, 90_000);
      expect(first).toEqual({ code: 2, signal: null });
    } finally {
      await dev.stop();
    }
    expect(dev.stdout()).not.toMatch(banner);
    expect(dev.stderr()).toContain(
      '--admin-token: the admin token is not taken on the command line',
    );
    expect(dev.stderr()).toContain('set PEERFRAME_ADMIN_TOKEN, or use --admin-token-file <file>');
    expect(dev.stderr()).not.toContain(token);

    const gateway = await runPeerframe([
      'gateway',
      '--orchestrator',
      'http://127.0.0.1:9',
      '--port',
      '0',
      `--admin-token=${token}`,
    ]);
    expect(gateway.code).toBe(2);
    expect(gateway.stderr).toMatch(/--admin-token: .*PEERFRAME_ADMIN_TOKEN/);
  });

  it('refuses a token file other users can read, naming the file and its mode', {
    timeout: 120_000,
  }, async () => {
    const path = tokenFile('readable', 'admin-readable-token', 0o644);
    const dev = await runPeerframe([...quickDevArgs, '--admin-token-file', path]);
    expect(dev.code).toBe(2);
    expect(dev.stderr).toContain(
      `--admin-token-file: ${path} has mode 0644, so other users can read or change it; make it private: chmod 600 ${path}`,
    );
    expect(dev.stdout).not.toMatch(banner);
  });

  it('--admin-token-file (0600): stream keys required, said in the banner, token in no argv', {
    timeout: 120_000,
  }, async () => {
    const token = `admin-${randomBytes(16).toString('hex')}`;
    const path = tokenFile('private', token, 0o600);
    await withDev(['--admin-token-file', path], {}, async (dev, gatewayUrl) => {
      expect(dev.stdout()).toContain('gateway: stream keys required');
      expect(dev.stdout()).not.toContain('open mode');
      expect(await status(`${gatewayUrl}/streams`)).toBe(401);
      expect(await status(`${gatewayUrl}/streams`, token)).toBe(200);
      const created = await fetch(`${gatewayUrl}/admin/stream-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'item 12' }),
      });
      expect(created.status).toBe(201);
      // Neither `dev` nor any node it started shows the token to other users.
      const pid = dev.child.pid as number;
      const pids = [pid, ...descendantPids(pid)];
      expect(pids.length).toBeGreaterThanOrEqual(3);
      for (const p of pids) expect(commandLineOf(p).join(' ')).not.toContain(token);
    });
  });

  it('a gateway run on its own logs its mode at start', { timeout: 120_000 }, async () => {
    for (const [env, mode] of [
      [{}, 'gateway: open mode (anyone may publish'],
      [{ PEERFRAME_ADMIN_TOKEN: 'admin-token-from-env' }, 'gateway: stream keys required'],
    ] as const) {
      const gateway = startPeerframe(
        ['gateway', '--orchestrator', 'http://127.0.0.1:9', '--port', '0'],
        { ...env, PEERFRAME_LOG_LEVEL: 'info' },
      );
      try {
        const logged = await gateway.waitFor(/"msg":"(gateway: [^"]*)"/, 60_000);
        expect(Array.isArray(logged) ? logged[1] : logged).toContain(mode);
      } finally {
        await gateway.stop();
      }
    }
  });

  it('PEERFRAME_ADMIN_TOKEN=… npm start (the README’s way): stream keys required', {
    timeout: 120_000,
  }, async () => {
    const token = `admin-${randomBytes(16).toString('hex')}`;
    await withDev([], { PEERFRAME_ADMIN_TOKEN: token }, async (dev, gatewayUrl) => {
      expect(dev.stdout()).toContain('gateway: stream keys required');
      expect(await status(`${gatewayUrl}/streams`)).toBe(401);
      expect(await status(`${gatewayUrl}/streams`, token)).toBe(200);
    });
  });
});
