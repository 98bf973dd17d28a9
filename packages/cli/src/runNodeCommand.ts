import { parseArgs } from 'node:util';
import { createLogger } from '@peerframe/core';
import { checkAdvertisedUrl, createSfuAdapter, GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer, setMediaHeapGrowth, WorkerNode } from '@peerframe/orchestrator';
import { cliUsage } from './cliUsage.ts';
import { startDevStack } from './devStack.ts';
import { loadStudio } from './loadStudio.ts';
import { gatewayPaymentsFromFlags, orchestratorPaymentsFromFlags } from './nodePayments.ts';
import {
  orchestratorPipelineFlags,
  orchestratorPipelinesFromFlags,
} from './orchestratorPipelineFlags.ts';
import { CliUsageError } from './parseChainAmount.ts';
import { readSecret, refuseSecretArguments } from './readSecret.ts';
import { closeOnSignal, reportReady } from './runNode.ts';
import { startRedisServer } from './startRedisServer.ts';
import { studioOrigins } from './studioOrigins.ts';
import { orchestratorWorkersFromFlags, workerFlags } from './workerCommands.ts';

/** The commands that start nodes (the others are `pipeline` and the chain commands). */
const nodeCommands: ReadonlySet<string | undefined> = new Set([
  'dev',
  'gateway',
  'orchestrator',
  'worker',
]);

/**
 * `peerframe dev|gateway|orchestrator|worker …`: parses the flags and starts the node; any other
 * command is answered "Unknown command" with exit code 2.
 */
export async function runNodeCommand(command: string | undefined, rest: string[]): Promise<void> {
  const { values } = parseArgs({
    args: rest,
    allowNegative: true,
    options: {
      host: { type: 'string', default: process.env.PEERFRAME_HOST ?? '127.0.0.1' },
      port: { type: 'string' },
      'gateway-port': { type: 'string', default: process.env.PEERFRAME_GATEWAY_PORT ?? '8088' },
      'orchestrator-port': {
        type: 'string',
        default: process.env.PEERFRAME_ORCHESTRATOR_PORT ?? '8935',
      },
      orchestrator: { type: 'string', multiple: true },
      'max-sessions': { type: 'string' },
      'fault-injection': { type: 'boolean', default: false },
      'audio-follow-frames': { type: 'boolean', default: false },
      rpc: { type: 'string' },
      controller: { type: 'string' },
      chain: { type: 'boolean', default: true },
      'chain-port': { type: 'string', default: process.env.PEERFRAME_CHAIN_PORT ?? '8545' },
      orchestrators: { type: 'string', default: '1' },
      workers: { type: 'string', default: '0' },
      studio: { type: 'boolean', default: true },
      'studio-port': { type: 'string', default: process.env.PEERFRAME_STUDIO_PORT ?? '5173' },
      // Secrets: from the environment or a private file; on the command line they are refused.
      'admin-token': { type: 'string' },
      'admin-token-file': { type: 'string' },
      'redis-url': { type: 'string' },
      'redis-url-file': { type: 'string' },
      'advertised-url': { type: 'string', default: process.env.PEERFRAME_ADVERTISED_URL },
      gateways: { type: 'string', default: '1' },
      'orchestrator-admin-token': { type: 'string' },
      'orchestrator-admin-token-file': { type: 'string' },
      'key-store': { type: 'string', default: process.env.PEERFRAME_KEY_STORE },
      'allowed-origin': {
        type: 'string',
        multiple: true,
        default: (process.env.PEERFRAME_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      },
      key: { type: 'string' },
      'key-file': { type: 'string' },
      'ice-server': { type: 'string', multiple: true },
      warmup: { type: 'string' },
      ...orchestratorPipelineFlags,
      ...workerFlags,
      sfu: { type: 'string', default: 'werift' },
      'ticket-secret': { type: 'string' },
      'ticket-secret-file': { type: 'string' },
      store: { type: 'string' },
      'price-wei-per-second': { type: 'string' },
      'upfront-seconds': { type: 'string' },
      'max-price-wei-per-second': { type: 'string' },
      'max-ticket-ev-wei': { type: 'string' },
      'max-total-ev-wei': { type: 'string' },
      'deposit-multiplier': { type: 'string' },
      'payment-encoding': { type: 'string' },
      'max-gas-price-wei': { type: 'string' },
      'ticket-ev-wei': { type: 'string' },
      'initialize-rounds': { type: 'boolean' },
      reward: { type: 'boolean' },
      'min-face-value-wei': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help && nodeCommands.has(command)) {
    process.stdout.write(cliUsage);
    return;
  }
  refuseSecretArguments(values);
  const port = (value: string | undefined, fallback: number) => {
    const n = Number(value ?? fallback);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`Invalid port "${value}"`);
    return n;
  };
  switch (command) {
    case 'orchestrator': {
      // Its media threads collect less often in a heap allowed to double (see setMediaHeapGrowth).
      setMediaHeapGrowth();
      const maxSessions = maxSessionsFlag(values['max-sessions']);
      const workers = orchestratorWorkersFromFlags(values);
      const payments = await orchestratorPaymentsFromFlags(values);
      const warmup = values.warmup;
      const node = await OrchestratorServer.create({
        faultInjection: values['fault-injection'],
        ...(warmup ? { warmup: warmup === 'all' ? 'all' : warmup.split(',') } : {}),
        host: values.host,
        port: port(values.port, 8935),
        ...(maxSessions !== undefined ? { maxSessions } : {}),
        ...(payments ? { payments } : {}),
        ...(workers ? { workers } : {}),
        pipelines: orchestratorPipelinesFromFlags(values),
        adminToken: readSecret('orchestrator-admin-token', values),
      });
      closeOnSignal('orchestrator', node);
      // Ready once its spare media threads have started: the first sessions wait for none.
      await node.ready();
      reportReady('orchestrator', node.url);
      return;
    }
    case 'worker': {
      const [orchestratorUrl, ...more] = values.orchestrator ?? [];
      if (!orchestratorUrl || more.length > 0) {
        throw new CliUsageError('worker needs one --orchestrator <url>');
      }
      const credential = readSecret('worker-credential', values);
      if (!credential) {
        throw new CliUsageError(
          'worker needs its credential: PEERFRAME_WORKER_CREDENTIAL, or --worker-credential-file <file> (chmod 600)',
        );
      }
      const maxSessions = maxSessionsFlag(values['max-sessions']);
      setMediaHeapGrowth();
      const node = await WorkerNode.create({
        orchestratorUrl,
        credential,
        host: values.host,
        ...(values.name ? { name: values.name } : {}),
        ...(maxSessions !== undefined ? { maxSessions } : {}),
        ...(values.warmup
          ? { warmup: values.warmup === 'all' ? 'all' : values.warmup.split(',') }
          : {}),
        pipelines: orchestratorPipelinesFromFlags(values),
      });
      // Without its orchestrator a worker has nothing to do: it exits, for its supervisor to
      // start it again.
      node.on('disconnected', (reason) => {
        process.stderr.write(`peerframe worker: ${reason}\n`);
        void node.close().then(() => process.exit(1));
      });
      closeOnSignal('worker', node);
      reportReady('worker', orchestratorUrl);
      process.stdout.write(`worker ${node.workerId} registered with ${orchestratorUrl}\n`);
      return;
    }
    case 'gateway': {
      const orchestrators = values.orchestrator ?? [];
      const chain =
        values.rpc && values.controller
          ? { rpcUrl: values.rpc, controller: values.controller as `0x${string}` }
          : undefined;
      if (orchestrators.length === 0 && !chain) {
        throw new Error(
          'gateway needs --orchestrator <url>, or --rpc <url> --controller <address>',
        );
      }
      const adminToken = readSecret('admin-token', values);
      const redisUrl = readSecret('redis-url', values);
      const advertisedUrl = advertisedUrlFlag(values['advertised-url']);
      const payments = await gatewayPaymentsFromFlags(values);
      const node = await GatewayServer.create({
        ...(redisUrl ? { redisUrl } : {}),
        ...(advertisedUrl ? { advertisedUrl } : {}),
        ...(payments ? { payments } : {}),
        iceServers: (values['ice-server'] ?? []).map(parseIceServerFlag),
        sfu: await createSfuAdapter(parseSfuFlag(values.sfu)),
        host: values.host,
        port: port(values.port, 8088),
        orchestrators,
        ...(chain ? { chain } : {}),
        faultInjection: values['fault-injection'],
        ...(values['audio-follow-frames'] ? { audioRelay: { followFrames: true } } : {}),
        ...(adminToken ? { adminToken } : {}),
        allowedOrigins: values['allowed-origin'],
        ...(adminToken
          ? { streamKeyStorePath: values['key-store'] ?? 'peerframe-stream-keys.sqlite' }
          : {}),
      });
      createLogger('cli:gateway').info(
        { streamKeysRequired: adminToken !== undefined },
        gatewayMode(adminToken),
      );
      closeOnSignal('gateway', node);
      // Ready once its first SFU legs were set up: the first stream's set-up runs warm.
      await node.warmUp();
      reportReady('gateway', node.url);
      return;
    }
    case 'dev': {
      const orchestratorCount = Number(values.orchestrators);
      if (!Number.isInteger(orchestratorCount) || orchestratorCount < 1 || orchestratorCount > 8) {
        throw new RangeError(`--orchestrators must be 1..8, got "${values.orchestrators}"`);
      }
      const workerCount = Number(values.workers);
      if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 8) {
        throw new RangeError(`--workers must be 0..8, got "${values.workers}"`);
      }
      const gatewayCount = Number(values.gateways);
      if (!Number.isInteger(gatewayCount) || gatewayCount < 1 || gatewayCount > 8) {
        throw new RangeError(`--gateways must be 1..8, got "${values.gateways}"`);
      }
      const studioPort = port(values['studio-port'], 5173);
      const adminToken = readSecret('admin-token', values);
      // Before anything starts: a missing studio is said at once, with no stack to close.
      const studioModule = values.studio ? await loadStudio() : undefined;
      // Several gateways share a Redis: the operator's, or a private redis-server.
      let redisUrl = readSecret('redis-url', values);
      const redis =
        gatewayCount > 1 && !redisUrl ? await startRedisServer({ host: values.host }) : undefined;
      redisUrl ??= redis?.url;
      let studio: { url: string; close(): Promise<void> } | undefined;
      const stack = await startDevStack({
        // No half-dead stack: a node that exits stops the others, and dev exits saying which.
        onNodeExit: (error) => {
          process.stderr.write(`peerframe dev: ${error.message}; stopping the stack\n`);
          void Promise.allSettled([studio?.close(), stack.close()])
            .then(() => redis?.close())
            .then(() => process.exit(1));
        },
        gateways: gatewayCount,
        ...(redisUrl ? { redisUrl } : {}),
        // The studio's pages call the gateway from their own origin.
        allowedOrigins: [
          ...(values.studio ? studioOrigins(values.host, studioPort) : []),
          ...values['allowed-origin'],
        ],
        host: values.host,
        gatewayPort: port(values['gateway-port'], 8088),
        orchestratorPort: port(values['orchestrator-port'], 8935),
        orchestrators: orchestratorCount,
        workers: workerCount,
        warmup: true,
        ...(adminToken ? { adminToken } : {}),
        ...(values.chain ? { chainPort: port(values['chain-port'], 8545) } : {}),
      }).catch(async (error: unknown) => {
        // A stack that did not start leaves no redis-server behind.
        await redis?.close();
        throw error;
      });
      studio = studioModule
        ? await studioModule
            .startStudio({
              gatewayUrl: stack.gatewayUrl,
              host: values.host,
              port: studioPort,
            })
            .catch(async (error: unknown) => {
              await stack.close();
              throw error;
            })
        : undefined;
      closeOnSignal('dev', {
        close: async () => {
          await studio?.close();
          await stack.close();
          await redis?.close();
        },
      });
      process.stdout.write(
        [
          '',
          'PeerFrame local stack is up:',
          ...(studio ? [`  studio         ${studio.url}   (open it in a browser)`] : []),
          `  WHIP ingest    ${stack.gatewayUrl}/whip?pipeline=invert   (POST application/sdp)`,
          `  gateway        ${stack.gatewayUrl}/streams   ${stack.gatewayUrl}/orchestrators   ${stack.gatewayUrl}/metrics`,
          ...stack.gatewayUrls
            .slice(1)
            .map(
              (url) =>
                `  gateway        ${url}/whip   (shares keys and streams through ${redis ? `redis-server pid ${redis.pid}` : 'PEERFRAME_REDIS_URL'})`,
            ),
          `  ${gatewayMode(adminToken)}`,
          ...stack.orchestratorUrls.map((url) => `  orchestrator   ${url}/info`),
          ...stack.nodes
            .filter((node) => node.role === 'worker')
            .map((node) => `  worker         pid ${node.pid}, serving ${node.url}`),
          ...(stack.chain
            ? [
                `  chain          ${stack.chain.rpcUrl}   Controller ${stack.chain.addresses.controller}`,
              ]
            : []),
          'Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
      return;
    }
    default:
      process.stderr.write(`Unknown command "${command}"\n\n${cliUsage}`);
      process.exitCode = 2;
  }
}

/** `--max-sessions`: a whole number, 0 or more (0: an orchestrator that only dispatches). */
function maxSessionsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new CliUsageError(`--max-sessions must be a whole number, 0 or more, got "${value}"`);
  }
  return n;
}

/** `--advertised-url` (or PEERFRAME_ADVERTISED_URL): an http(s) origin, else a usage error. */
function advertisedUrlFlag(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return checkAdvertisedUrl(value, '--advertised-url');
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

/** The gateway's mode, for the start banner and log. */
function gatewayMode(adminToken: string | undefined): string {
  return adminToken
    ? 'gateway: stream keys required (made with POST /admin/stream-keys and the admin token)'
    : 'gateway: open mode (anyone may publish; PEERFRAME_ADMIN_TOKEN or --admin-token-file requires stream keys)';
}

function parseSfuFlag(value: string | undefined): 'werift' | 'mediasoup' | 'auto' {
  if (value === 'werift' || value === 'mediasoup' || value === 'auto') return value;
  throw new RangeError(`--sfu must be werift, mediasoup or auto, got "${value}"`);
}

/** `stun:host:3478`, or `turn:host:3478,user,password`. */
function parseIceServerFlag(value: string): {
  urls: string;
  username?: string;
  credential?: string;
} {
  const [urls = '', username, credential] = value.split(',');
  if (!/^(stun|stuns|turn|turns):/.test(urls)) {
    throw new RangeError(
      `--ice-server must start with stun:, stuns:, turn: or turns:, got "${urls}"`,
    );
  }
  return {
    urls,
    ...(username !== undefined ? { username } : {}),
    ...(credential !== undefined ? { credential } : {}),
  };
}
