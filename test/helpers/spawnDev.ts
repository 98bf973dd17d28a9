import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

export type SpawnedDev = {
  child: ChildProcess;
  /** What it printed so far. */
  out: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * `peerframe dev` (what `npm start` runs) from source, with free gateway and orchestrator ports,
 * warnings-only logs and no admin token, plus `args` and `env`.
 */
export function spawnDev(args: string[], env: NodeJS.ProcessEnv = {}): SpawnedDev {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      main,
      'dev',
      '--gateway-port',
      '0',
      '--orchestrator-port',
      '0',
      ...args,
    ],
    {
      env: { ...process.env, PEERFRAME_LOG_LEVEL: 'warn', PEERFRAME_ADMIN_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exited };
}
