import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/**
 * `--rpc` and `--controller` for a chain nobody runs: for commands that must be refused before they
 * touch the network.
 */
export const noChainFlags = ['--rpc', 'http://127.0.0.1:9', '--controller', `0x${'00'.repeat(20)}`];

/** `peerframe dev` at its quickest: no chain, no studio, every node on a free port. */
export const quickDevArgs = [
  'dev',
  '--no-chain',
  '--no-studio',
  '--gateway-port',
  '0',
  '--orchestrator-port',
  '0',
];

export type PeerframeExit = { code: number | null; signal: NodeJS.Signals | null };

/** `peerframe <args>` running from source, as `npm start` runs it, with what it printed so far. */
export type PeerframeProcess = {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<PeerframeExit>;
  /**
   * Resolves with the first match of `pattern` in stdout, or with the exit when the process ends
   * first; rejects after `timeoutMs`.
   */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray | PeerframeExit>;
  /**
   * SIGINT, then SIGKILL to it and everything it started if it has not exited within `timeoutMs`;
   * resolves with the exit, after killing whatever it left running.
   */
  stop(timeoutMs?: number): Promise<PeerframeExit>;
  /** SIGKILL to the process and everything it started (its process group). */
  killAll(): void;
};

/**
 * Starts `peerframe <args>` with `env` added to this process's environment: log level warn, and no
 * secrets but those in `env` (an empty variable is unset).
 */
export function startPeerframe(args: string[], env: Record<string, string> = {}): PeerframeProcess {
  const child = spawn(process.execPath, ['--conditions=source', main, ...args], {
    env: {
      ...process.env,
      PEERFRAME_LOG_LEVEL: 'warn',
      PEERFRAME_ETH_KEY: '',
      PEERFRAME_TICKET_SECRET: '',
      PEERFRAME_ADMIN_TOKEN: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that nothing it started outlives a failed test.
    detached: true,
  });
  const killAll = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
  };
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  let exit: PeerframeExit | undefined;
  const exited = new Promise<PeerframeExit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) return done(match);
          if (exit) return done(exit);
        };
        const timer = setTimeout(() => {
          child.stdout?.off('data', check);
          reject(new Error(`no ${pattern} from peerframe ${args.join(' ')} in ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (result: RegExpMatchArray | PeerframeExit) => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve(result);
        };
        child.stdout?.on('data', check);
        void exited.then(check);
        check();
      }),
    stop: async (timeoutMs = 10_000) => {
      if (!exit) {
        child.kill('SIGINT');
        const timer = setTimeout(killAll, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      killAll();
      return exited;
    },
    killAll,
  };
}

/** Runs `peerframe <args>` to its exit (killed after `timeoutMs`). */
export async function runPeerframe(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<PeerframeExit & { stdout: string; stderr: string }> {
  const run = startPeerframe(args, env);
  const timer = setTimeout(run.killAll, timeoutMs);
  const exit = await run.exited;
  clearTimeout(timer);
  run.killAll();
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}

/** The process ids under `pid` (children, grandchildren, …), from /proc (Linux). */
export function descendantPids(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, counted after the command name in parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** A process's arguments as every user of the machine can read them. */
export function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}
