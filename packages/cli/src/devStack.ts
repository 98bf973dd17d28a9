import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@peerframe/core';

export type DevStackOptions = {
  host: string;
  gatewayPort: number;
  orchestratorPort: number;
  /** Let tests drop forwarded packets through the gateway's fault-injection API (default false). */
  faultInjection?: boolean;
  /** Require stream keys on the gateway, made through its admin API with this token (default: open). */
  adminToken?: string;
  /** Orchestrator processes to start (default 1); the first listens on `orchestratorPort`, the others on free ports. */
  orchestrators?: number;
};

export type DevStackNode = { role: 'orchestrator' | 'gateway'; url: string; pid: number };

export type DevStack = {
  gatewayUrl: string;
  /** The first orchestrator's URL. */
  orchestratorUrl: string;
  orchestratorUrls: string[];
  /** Every node with its process id. */
  nodes: DevStackNode[];
  /** Process ids of the nodes (orchestrators, then the gateway). */
  pids: number[];
  close(): Promise<void>;
};

// The CLI entry beside this file: main.ts when run from source, main.js once built.
const main = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url),
);

/**
 * The whole local stack, each node in its own process (so libwebrtc's codec threads, ONNX Runtime
 * and the SFU's event loop do not share one): an orchestrator, then a gateway pointed at it.
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const children: ChildProcess[] = [];
  const log = createLogger('cli:dev');
  let closing = false;
  const close = async () => {
    closing = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  };
  try {
    const orchestratorUrls: string[] = [];
    for (let i = 0; i < (options.orchestrators ?? 1); i++) {
      orchestratorUrls.push(
        await startChild(children, 'orchestrator', [
          '--host',
          options.host,
          '--port',
          String(i === 0 ? options.orchestratorPort : 0),
        ]),
      );
    }
    const gatewayUrl = await startChild(children, 'gateway', [
      '--host',
      options.host,
      '--port',
      String(options.gatewayPort),
      ...orchestratorUrls.flatMap((url) => ['--orchestrator', url]),
      ...(options.faultInjection ? ['--fault-injection'] : []),
      ...(options.adminToken ? ['--admin-token', options.adminToken] : []),
    ]);
    for (const child of children) {
      child.once('exit', (code, signal) => {
        if (!closing) log.error({ pid: child.pid, code, signal }, 'a node of the stack exited');
      });
    }
    const urls = [...orchestratorUrls, gatewayUrl];
    const nodes = children.map(
      (child, i): DevStackNode => ({
        role: i < orchestratorUrls.length ? 'orchestrator' : 'gateway',
        url: urls[i] ?? '',
        pid: child.pid ?? 0,
      }),
    );
    return {
      gatewayUrl,
      orchestratorUrl: orchestratorUrls[0] ?? '',
      orchestratorUrls,
      nodes,
      pids: nodes.map((n) => n.pid),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function startChild(children: ChildProcess[], role: string, args: string[]): Promise<string> {
  const child = fork(main, [role, ...args], {
    // From source, workspace packages resolve to their .ts files (Node strips the types).
    execArgv: main.endsWith('.ts') ? ['--conditions=source'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`${role} exited (${code}) before it was ready`));
    child.once('exit', onExit);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && message.url) {
        child.off('exit', onExit);
        resolve(message.url);
      }
    });
  });
}
