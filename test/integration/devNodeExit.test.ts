import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  commandLineOf,
  descendantPids,
  quickDevArgs,
  runPeerframe,
  startPeerframe,
} from '../helpers/peerframeProcess.ts';

/** Whether a process runs (a zombie, exited but not yet reaped, does not). */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The node processes `peerframe dev` (pid) started, by role (`peerframe <role> …`). */
function nodesOf(pid: number, role: 'orchestrator' | 'gateway'): number[] {
  return descendantPids(pid).filter((p) => {
    const argv = commandLineOf(p);
    const main = argv.findIndex((a) => a.endsWith('/main.ts'));
    return main >= 0 && argv[main + 1] === role;
  });
}

describe('peerframe dev when a node of the stack exits', () => {
  it('stops the other nodes and exits non-zero, naming the node and how it ended', {
    timeout: 150_000,
  }, async () => {
    const dev = startPeerframe([...quickDevArgs, '--orchestrators', '2']);
    try {
      const up = await dev.waitFor(/Ctrl-C stops it/, 120_000);
      expect(Array.isArray(up), dev.stderr()).toBe(true);
      const pid = dev.child.pid as number;
      const orchestrators = nodesOf(pid, 'orchestrator');
      const [gateway] = nodesOf(pid, 'gateway');
      expect(orchestrators).toHaveLength(2);
      expect(gateway).toBeGreaterThan(0);

      const killed = orchestrators[1] as number;
      process.kill(killed, 'SIGKILL');
      expect(await dev.exited).toEqual({ code: 1, signal: null });
      expect(dev.stderr()).toMatch(
        new RegExp(
          `peerframe dev: the orchestrator at http://127\\.0\\.0\\.1:\\d+ \\(pid ${killed}\\) was killed by SIGKILL; stopping the stack`,
        ),
      );
      // Nothing of the stack is left running.
      for (const other of [orchestrators[0] as number, gateway as number]) {
        await expect.poll(() => running(other), { timeout: 10_000 }).toBe(false);
      }
    } finally {
      dev.killAll();
    }
  });

  it('says so, before it starts any node, when the studio is not installed', async () => {
    // A published CLI without the repository's studio: its name does not resolve.
    const dir = mkdtempSync(join(tmpdir(), 'peerframe-no-studio-'));
    const hide = join(dir, 'hideStudio.mjs');
    writeFileSync(
      hide,
      `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(specifier, context, next) {
  if (specifier !== '@peerframe/studio') return next(specifier, context);
  const error = new Error("Cannot find package '@peerframe/studio' imported from the CLI");
  error.code = 'ERR_MODULE_NOT_FOUND';
  throw error;
}\`));
`,
    );
    try {
      const run = await runPeerframe(
        ['dev', '--no-chain', '--gateway-port', '0', '--orchestrator-port', '0'],
        // At info, a node that started would say so ("orchestrator listening").
        { NODE_OPTIONS: `--import=${pathToFileURL(hide).href}`, PEERFRAME_LOG_LEVEL: 'info' },
      );
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'peerframe: @peerframe/studio is not installed: the demo studio ships in the PeerFrame repository only',
      );
      expect(run.stderr).toContain('peerframe dev --no-studio');
      expect(run.stdout).not.toContain('listening');
      expect(run.stdout).not.toContain('local stack is up');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
