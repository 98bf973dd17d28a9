import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/**
 * `peerframe gateway` in a process of its own (as `npm start` runs it), on a free port, with a
 * static orchestrator list and no chain: its CPU is read from `/proc/<pid>/stat`, and from its
 * children's (mediasoup's worker) where it has any.
 */
export class GatewayProcess {
  readonly url: string;
  readonly pid: number;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, url: string) {
    this.#child = child;
    this.url = url;
    this.pid = child.pid as number;
  }

  /** `nodeArgs`: extra flags for node (e.g. `--cpu-prof`); `sfu`: its backend (default werift). */
  static async start(options: {
    orchestratorUrl: string;
    nodeArgs?: string[];
    sfu?: 'werift' | 'mediasoup';
    timeoutMs?: number;
  }): Promise<GatewayProcess> {
    const child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        '--conditions=source',
        main,
        'gateway',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--orchestrator',
        options.orchestratorUrl,
        '--sfu',
        options.sfu ?? 'werift',
      ],
      {
        env: { ...process.env, PEERFRAME_LOG_LEVEL: process.env.PEERFRAME_LOG_LEVEL ?? 'warn' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the gateway did not report ready'));
      }, options.timeoutMs ?? 60_000);
      child.on('message', (message: { type?: string; url?: string }) => {
        if (message.type === 'ready' && message.url) {
          clearTimeout(timer);
          resolve(message.url);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the gateway exited before ready (${code ?? signal})`));
      });
    });
    child.disconnect();
    return new GatewayProcess(child, url);
  }

  /** SIGINT (it closes cleanly, writing its CPU profile if asked), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
