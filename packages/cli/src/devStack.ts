import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseError, createLogger } from '@peerframe/core';
import { WorkerCredentials } from '@peerframe/orchestrator';
import { defaultPriceWeiPerSecond } from '@peerframe/protocol';
import { secretSources } from './readSecret.ts';
import { type DevChain, startDevChain } from './startDevChain.ts';

export type DevStackOptions = {
  host: string;
  gatewayPort: number;
  orchestratorPort: number;
  /** Let tests drop forwarded packets through the gateway's fault-injection API (default false). */
  faultInjection?: boolean;
  /**
   * Require stream keys on the gateway, made through its admin API with this token (default: open).
   * Like every secret of the stack, it reaches the node through its environment, never its arguments.
   */
  adminToken?: string;
  /** Web page origins the gateway lets use it (`--allowed-origin`; default none). */
  allowedOrigins?: string[];
  /** Orchestrator processes to start (default 1); the first listens on `orchestratorPort`, the others on free ports. */
  orchestrators?: number;
  /**
   * Run a local chain (anvil, protocol deployed, orchestrators registered) on this port and let
   * the gateway discover orchestrators there instead of from a static list (default: no chain).
   */
  chainPort?: number;
  /**
   * With a chain: orchestrators charge this per second and the gateway pays them in tickets
   * from its deposit (default `defaultPriceWeiPerSecond`; 0 turns payments off).
   */
  priceWeiPerSecond?: bigint;
  /** With a chain: a price per orchestrator, in order (overrides `priceWeiPerSecond`). */
  orchestratorPricesWeiPerSecond?: bigint[];
  /** More arguments for every orchestrator (e.g. `--ticket-ev-wei`, `--max-gas-price-wei`); no secrets. */
  orchestratorArgs?: string[];
  /** More arguments for the gateway (e.g. `--max-ticket-ev-wei` for dear test tickets). */
  gatewayArgs?: string[];
  /**
   * Gateway processes (default 1); the first listens on `gatewayPort`, the others on free ports.
   * More than one share their state through `redisUrl`.
   */
  gateways?: number;
  /** The Redis the gateways share (given them in their environment; needed for `gateways` > 1). */
  redisUrl?: string;
  /** Where orchestrators keep their winning tickets (default: a new temporary directory). */
  dataDir?: string;
  /** Orchestrators load and warm every pipeline at start (default false: on first use). */
  warmup?: boolean;
  /**
   * Remote workers per orchestrator (`peerframe worker` processes; default 0). With any, each
   * orchestrator runs no session itself (`--max-sessions 0`) and hands them to its workers, whose
   * credentials it issues into the data directory.
   */
  workers?: number;
  /**
   * The orchestrators' admin token, given them in their environment (default
   * `PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN`, else a random one): it lists and reads their sessions.
   */
  orchestratorAdminToken?: string;
  /**
   * Called when a node exits on its own once the stack is up (not when `close()` stops it):
   * `peerframe dev` then stops the rest and exits non-zero. Tests that kill a node on purpose
   * leave it unset (default: the exit is only logged). A node that exits while the stack starts
   * fails the start instead.
   */
  onNodeExit?: (error: NodeExitedError) => void;
};

/** One process of the stack; a worker's `url` is its orchestrator's. */
export type DevStackNode = {
  role: 'orchestrator' | 'gateway' | 'worker';
  url: string;
  pid: number;
};

/** A node of the stack exited: which one, and its exit code or the signal that ended it. */
export class NodeExitedError extends BaseError {
  override name = 'NodeExitedError';
  readonly node: DevStackNode;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;

  constructor(
    node: DevStackNode,
    exitCode: number | null,
    signal: NodeJS.Signals | null,
    { beforeReady = false } = {},
  ) {
    super(
      'node_exited',
      `the ${node.role}${node.url ? ` at ${node.url}` : ''} (pid ${node.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${exitCode}`}${beforeReady ? ' before it was ready' : ''}`,
    );
    this.node = node;
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

export type DevStack = {
  /** The first gateway's URL. */
  gatewayUrl: string;
  /** Every gateway's URL, in order. */
  gatewayUrls: string[];
  /** The first orchestrator's URL. */
  orchestratorUrl: string;
  orchestratorUrls: string[];
  /** Every node with its process id. */
  nodes: DevStackNode[];
  /** Process ids of the nodes (orchestrators, then the gateway). */
  pids: number[];
  /** The local chain, when one runs. */
  chain: DevChain | undefined;
  /** Where the orchestrators' winning-ticket stores are. */
  dataDir: string;
  /** The orchestrators' admin token (`Authorization: Bearer …` for `GET /sessions`). */
  orchestratorAdminToken: string;
  /**
   * Starts orchestrator `index` again (after it was killed) on its port with its key, secret and
   * store, plus `extraArgs`; resolves once it is up.
   */
  restartOrchestrator(index: number, extraArgs?: string[]): Promise<DevStackNode>;
  close(): Promise<void>;
};

// The CLI entry beside this file: main.ts when run from source, main.js once built.
const main = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url),
);

/**
 * The whole local stack, each node in its own process (so libwebrtc's codec threads, ONNX Runtime
 * and the SFU's event loop do not share one): orchestrators, optionally a local chain they are
 * registered on, then a gateway that finds them (on chain, or from a static list).
 */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const children: ChildProcess[] = [];
  const log = createLogger('cli:dev');
  let closing = false;
  let chain: DevChain | undefined;
  // A node that exits while the stack starts fails the start; once it is up, `onNodeExit` hears.
  let up = false;
  let exitedWhileStarting: NodeExitedError | undefined;
  const onExit = (error: NodeExitedError) => {
    if (closing) return;
    const { node, exitCode, signal } = error;
    log.error({ ...node, exitCode, signal }, 'a node of the stack exited');
    if (up) options.onNodeExit?.(error);
    else exitedWhileStarting ??= error;
  };
  const start = (role: DevStackNode['role'], args: string[], secrets: Secrets) =>
    startChild(children, role, args, secrets, onExit);
  const close = async () => {
    closing = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            // The whole stack stops together: no drain (SIGINT), streams end with the gateway.
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
    await chain?.close();
  };
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'peerframe-dev-'));
  const orchestratorAdminToken =
    options.orchestratorAdminToken ||
    process.env.PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN ||
    randomBytes(32).toString('base64url');
  const count = options.orchestrators ?? 1;
  const workers = options.workers ?? 0;
  const orchestratorArgs: string[][] = [];
  const orchestratorSecrets: Secrets[] = [];
  try {
    if (options.chainPort !== undefined) {
      chain = await startDevChain({
        host: options.host,
        port: options.chainPort,
        orchestrators: count,
      });
    }
    const price = options.priceWeiPerSecond ?? defaultPriceWeiPerSecond;
    const paying = chain !== undefined && price > 0n;
    const orchestratorUrls: string[] = [];
    const nodes: DevStackNode[] = [];
    const orchestratorNodes: DevStackNode[] = [];
    for (let i = 0; i < count; i++) {
      const args = [
        '--host',
        options.host,
        '--port',
        String(i === 0 ? options.orchestratorPort : 0),
        ...(chain && paying
          ? [
              '--rpc',
              chain.rpcUrl,
              '--controller',
              chain.addresses.controller,
              '--store',
              join(dataDir, `orchestrator-${i}.sqlite`),
              // Nobody else initialises rounds on a local chain; redemptions need them.
              '--initialize-rounds',
              '--reward',
              '--price-wei-per-second',
              (options.orchestratorPricesWeiPerSecond?.[i] ?? price).toString(),
            ]
          : []),
        ...(options.faultInjection ? ['--fault-injection'] : []),
        ...(options.warmup ? ['--warmup', 'all'] : []),
        ...(workers > 0
          ? [
              '--max-sessions',
              '0',
              '--worker-credentials',
              join(dataDir, `orchestrator-${i}-worker-credentials.json`),
            ]
          : []),
        ...(options.orchestratorArgs ?? []),
      ];
      // The key, the ticket secret and the operator's token go through the environment:
      // arguments are world-readable.
      const secrets: Secrets = {
        'orchestrator-admin-token': orchestratorAdminToken,
        ...(chain && paying
          ? {
              key: chain.orchestratorKeys[i] ?? '',
              'ticket-secret': `0x${randomBytes(32).toString('hex')}`,
            }
          : {}),
      };
      const node = await start('orchestrator', args, secrets);
      // A restart comes back on the same port.
      args[3] = new URL(node.url).port;
      orchestratorArgs.push(args);
      orchestratorSecrets.push(secrets);
      orchestratorUrls.push(node.url);
      nodes.push(node);
      orchestratorNodes.push(node);
      const credentials = new WorkerCredentials(
        join(dataDir, `orchestrator-${i}-worker-credentials.json`),
      );
      for (let w = 0; w < workers; w++) {
        const name = `worker-${i}-${w}`;
        const workerArgs = ['--orchestrator', node.url, '--host', options.host, '--name', name];
        if (options.warmup) workerArgs.push('--warmup', 'all');
        nodes.push(
          await start('worker', workerArgs, {
            'worker-credential': credentials.create(name).secret,
          }),
        );
      }
    }
    await chain?.registerOrchestrators(orchestratorUrls);
    const gatewayCount = options.gateways ?? 1;
    if (gatewayCount > 1 && !options.redisUrl) {
      throw new RangeError('Several gateways share their state through Redis: give redisUrl');
    }
    const gateways: DevStackNode[] = [];
    for (let i = 0; i < gatewayCount; i++) {
      const gateway = await start(
        'gateway',
        [
          '--host',
          options.host,
          '--port',
          String(i === 0 ? options.gatewayPort : 0),
          ...(options.allowedOrigins ?? []).flatMap((origin) => ['--allowed-origin', origin]),
          // Stream keys (with an admin token) outlive a gateway restart, beside the orchestrators' data.
          '--key-store',
          join(dataDir, 'gateway-stream-keys.sqlite'),
          ...(chain
            ? ['--rpc', chain.rpcUrl, '--controller', chain.addresses.controller]
            : orchestratorUrls.flatMap((url) => ['--orchestrator', url])),
          ...(options.faultInjection ? ['--fault-injection'] : []),
          ...(options.gatewayArgs ?? []),
        ],
        {
          ...(chain && paying ? { key: chain.gatewayKey } : {}),
          ...(options.adminToken ? { 'admin-token': options.adminToken } : {}),
          ...(options.redisUrl ? { 'redis-url': options.redisUrl } : {}),
        },
      );
      nodes.push(gateway);
      gateways.push(gateway);
    }
    if (exitedWhileStarting) throw exitedWhileStarting;
    up = true;
    return {
      gatewayUrl: gateways[0]?.url ?? '',
      gatewayUrls: gateways.map((gateway) => gateway.url),
      orchestratorUrl: orchestratorUrls[0] ?? '',
      orchestratorUrls,
      nodes,
      pids: nodes.map((n) => n.pid),
      chain,
      dataDir,
      orchestratorAdminToken,
      async restartOrchestrator(index, extraArgs = []) {
        const args = orchestratorArgs[index];
        const old = orchestratorNodes[index];
        if (!args || !old) throw new RangeError(`No orchestrator ${index}`);
        const at = children.findIndex((child) => child.pid === old.pid);
        const node = await start(
          'orchestrator',
          [...args, ...extraArgs],
          orchestratorSecrets[index] ?? {},
        );
        if (at >= 0) children.splice(at, 1);
        orchestratorNodes[index] = node;
        nodes[nodes.indexOf(old)] = node;
        return node;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The secrets one node of the stack gets, by the name of their `--<name>-file` flag. */
type Secrets = Partial<Record<keyof typeof secretSources, string>>;

/**
 * Forks one node of the stack; resolves once it says it is up. `onExit` hears of its exit after
 * that; an exit before it rejects.
 */
function startChild(
  children: ChildProcess[],
  role: DevStackNode['role'],
  args: string[],
  secrets: Secrets,
  onExit: (error: NodeExitedError) => void,
): Promise<DevStackNode> {
  // Secrets travel in the child's environment, which only its owner can read (/proc/<pid>/environ
  // is 0400), never in its arguments; each child gets exactly its own, none inherited from here.
  const env = { ...process.env };
  for (const [name, { envVar }] of Object.entries(secretSources)) {
    const secret = secrets[name as keyof Secrets];
    if (secret) env[envVar] = secret;
    else delete env[envVar];
  }
  const child = fork(main, [role, ...args], {
    // From source, workspace packages resolve to their .ts files (Node strips the types).
    execArgv: main.endsWith('.ts') ? ['--conditions=source'] : [],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const pid = child.pid ?? 0;
    const exitedEarly = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(new NodeExitedError({ role, url: '', pid }, code, signal, { beforeReady: true }));
    child.once('exit', exitedEarly);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && message.url) {
        const node: DevStackNode = { role, url: message.url, pid };
        child.off('exit', exitedEarly);
        child.once('exit', (code, signal) => onExit(new NodeExitedError(node, code, signal)));
        resolve(node);
      }
    });
  });
}
