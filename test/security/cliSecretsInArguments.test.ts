import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevStack, startDevStack } from '@peerframe/cli';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLineOf, noChainFlags, runPeerframe } from '../helpers/peerframeProcess.ts';

// Issue 13, item 18: `dev` passed --key and --ticket-secret as process arguments, which every user
// of the machine can read in /proc/<pid>/cmdline. Secrets now come from the environment (owner-only
// /proc/<pid>/environ) or from files only their owner can read; on the command line they are refused.

const dir = mkdtempSync(join(tmpdir(), 'peerframe-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A process's environment (readable by its owner only). */
function environmentOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(
    entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
}

/** What every user of the machine can see of a node: its arguments, with no secret in them. */
function expectNoSecretInArguments(pid: number, secrets: string[]): void {
  const argv = commandLineOf(pid);
  expect(argv.length).toBeGreaterThan(2);
  expect(argv.filter((arg) => /^--(key|ticket-secret|admin-token)(=|$)/.test(arg))).toEqual([]);
  // No 32 bytes of hex at all: keys and ticket secrets are exactly that.
  expect(argv.filter((arg) => /[0-9a-fA-F]{64}/.test(arg))).toEqual([]);
  const text = argv.join(' ').toLowerCase();
  for (const secret of secrets) expect(text).not.toContain(secret.replace(/^0x/, '').toLowerCase());
  // Their own environment is where the secrets are, and only the owner may read it.
  expect(statSync(`/proc/${pid}/environ`).mode & 0o777).toBe(0o400);
}

describe('item 18: no secret in any process argument', () => {
  it('dev hands keys, ticket secrets and the admin token to each node in its environment', {
    timeout: 180_000,
  }, async () => {
    const adminToken = `admin-${randomBytes(16).toString('hex')}`;
    let stack: DevStack | undefined;
    try {
      stack = await startDevStack({
        host: '127.0.0.1',
        gatewayPort: 0,
        orchestratorPort: 0,
        chainPort: 0,
        orchestrators: 2,
        adminToken,
      });
      const chain = stack.chain;
      if (!chain) throw new Error('no chain');
      const secrets = [...chain.orchestratorKeys, chain.gatewayKey, adminToken];
      const ticketSecrets: string[] = [];
      for (const [i, node] of stack.nodes.entries()) {
        expectNoSecretInArguments(node.pid, secrets);
        const env = environmentOf(node.pid);
        if (node.role === 'orchestrator') {
          // Each orchestrator has its own key and ticket secret, and not the gateway's token.
          expect(env.PEERFRAME_ETH_KEY).toBe(chain.orchestratorKeys[i]);
          expect(env.PEERFRAME_TICKET_SECRET).toMatch(/^0x[0-9a-f]{64}$/);
          expect(env.PEERFRAME_ADMIN_TOKEN).toBeUndefined();
          ticketSecrets.push(env.PEERFRAME_TICKET_SECRET as string);
          // The node runs with that key: it is the recipient of its tickets.
          const info = (await (await fetch(`${node.url}/info`)).json()) as {
            payments: { recipient: string } | null;
          };
          expect(info.payments?.recipient).toBe(
            privateKeyToAccount(chain.orchestratorKeys[i] as `0x${string}`).address,
          );
        } else {
          expect(env.PEERFRAME_ETH_KEY).toBe(chain.gatewayKey);
          expect(env.PEERFRAME_ADMIN_TOKEN).toBe(adminToken);
          expect(env.PEERFRAME_TICKET_SECRET).toBeUndefined();
          // The gateway runs with that token: stream keys are required.
          expect((await fetch(`${node.url}/streams`)).status).toBe(401);
          expect(
            (
              await fetch(`${node.url}/streams`, {
                headers: { authorization: `Bearer ${adminToken}` },
              })
            ).status,
          ).toBe(200);
        }
      }
      expect(new Set(ticketSecrets).size).toBe(2);

      // A restarted orchestrator gets the same key and ticket secret, again not in its arguments.
      const first = stack.nodes[0];
      if (!first) throw new Error('no orchestrator');
      process.kill(first.pid, 'SIGKILL');
      const restarted = await stack.restartOrchestrator(0);
      expectNoSecretInArguments(restarted.pid, [...secrets, ...ticketSecrets]);
      expect(environmentOf(restarted.pid)).toMatchObject({
        PEERFRAME_ETH_KEY: chain.orchestratorKeys[0],
        PEERFRAME_TICKET_SECRET: ticketSecrets[0],
      });
    } finally {
      await stack?.close();
    }
  });

  it('refuses --key and --ticket-secret on the command line, without echoing them', {
    timeout: 150_000,
  }, async () => {
    const key = `0x${randomBytes(32).toString('hex')}`;
    const cases = [
      ['orchestrator', '--port', '0', ...noChainFlags, '--key', key],
      ['orchestrator', '--port', '0', `--ticket-secret=${key}`],
      ['gateway', '--orchestrator', 'http://127.0.0.1:9', '--key', key],
      [
        'dev',
        '--no-studio',
        '--no-chain',
        '--gateway-port',
        '0',
        '--orchestrator-port',
        '0',
        '--key',
        key,
      ],
      ['deposit', '1', ...noChainFlags, '--key', key],
    ];
    const runs = await Promise.all(cases.map((args) => runPeerframe(args)));
    for (const [i, run] of runs.entries()) {
      const args = cases[i] as string[];
      const flag = args.some((a) => a.startsWith('--ticket-secret')) ? 'ticket-secret' : 'key';
      expect(run.code, `${args[0]}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(`--${flag}: `);
      expect(run.stderr).toContain(`is not taken on the command line`);
      expect(run.stderr).toContain(`--${flag}-file <file>`);
      expect(run.stderr).not.toContain(key.slice(2));
    }
  });

  it('refuses key, secret and password files others can read, naming the file and its mode', {
    timeout: 150_000,
  }, async () => {
    const key = `0x${randomBytes(32).toString('hex')}`;
    const file = (name: string, mode: number) => {
      const path = join(dir, name);
      writeFileSync(path, `${key}\n`);
      chmodSync(path, mode);
      return path;
    };
    const cases: [string[], string, string, number][] = [
      [['orchestrator', '--port', '0', ...noChainFlags], '--key-file', 'orchestrator-key', 0o644],
      [
        ['orchestrator', '--port', '0', ...noChainFlags],
        '--ticket-secret-file',
        'ticket-secret',
        0o640,
      ],
      [
        ['gateway', '--orchestrator', 'http://127.0.0.1:9', ...noChainFlags],
        '--key-file',
        'gateway-key',
        0o604,
      ],
      [['deposit', '1', ...noChainFlags], '--key-file', 'chain-key', 0o644],
      [
        ['deposit', '1', ...noChainFlags, '--keystore', file('keystore.json', 0o600)],
        '--password-file',
        'password',
        0o644,
      ],
    ];
    // The ticket secret is read once the key is: give the orchestrator a private key file.
    const privateKey = file('private-key', 0o600);
    const runs = await Promise.all(
      cases.map(([args, flag, name, mode]) =>
        runPeerframe([
          ...args,
          ...(flag === '--ticket-secret-file' ? ['--key-file', privateKey] : []),
          flag,
          file(name, mode),
        ]),
      ),
    );
    for (const [i, run] of runs.entries()) {
      const [, flag, name, mode] = cases[i] as (typeof cases)[number];
      const path = join(dir, name);
      expect(run.code, `${flag}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(
        `${flag}: ${path} has mode 0${mode.toString(8)}, so other users can read or change it; make it private: chmod 600 ${path}`,
      );
    }
  });
});
