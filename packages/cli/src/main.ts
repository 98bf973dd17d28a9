#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';
import { startDevStack } from './devStack.ts';
import { closeOnSignal, reportReady } from './runNode.ts';

const usage = `peerframe <command> [options]

Commands:
  dev             the whole local stack: local chain (8545) with the protocol deployed,
                  orchestrator(s) registered on it (8935), gateway discovering them (8088)
                  --orchestrators <n>  --no-chain (static list instead)  --chain-port <port>
  gateway         a gateway node           --orchestrator <url> (repeatable), or --rpc <url>
                                           --controller <address> (discover on chain); --host --port
                                           --admin-token <token> (or PEERFRAME_ADMIN_TOKEN): require
                                           stream keys, made with POST /admin/stream-keys
                                           --fault-injection (tests: POST /streams/:id/faults)
  orchestrator    an orchestrator node     --host --port --max-sessions
`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
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
      rpc: { type: 'string' },
      controller: { type: 'string' },
      chain: { type: 'boolean', default: true },
      'chain-port': { type: 'string', default: process.env.PEERFRAME_CHAIN_PORT ?? '8545' },
      orchestrators: { type: 'string', default: '1' },
      'admin-token': { type: 'string', default: process.env.PEERFRAME_ADMIN_TOKEN },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !command) {
    process.stdout.write(usage);
    return;
  }
  const port = (value: string | undefined, fallback: number) => {
    const n = Number(value ?? fallback);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`Invalid port "${value}"`);
    return n;
  };
  switch (command) {
    case 'orchestrator': {
      const maxSessions = values['max-sessions'] ? Number(values['max-sessions']) : undefined;
      const node = await OrchestratorServer.create({
        host: values.host,
        port: port(values.port, 8935),
        ...(maxSessions ? { maxSessions } : {}),
      });
      closeOnSignal('orchestrator', node);
      reportReady('orchestrator', node.url);
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
      const node = await GatewayServer.create({
        host: values.host,
        port: port(values.port, 8088),
        orchestrators,
        ...(chain ? { chain } : {}),
        faultInjection: values['fault-injection'],
        ...(values['admin-token'] ? { adminToken: values['admin-token'] } : {}),
      });
      closeOnSignal('gateway', node);
      reportReady('gateway', node.url);
      return;
    }
    case 'dev': {
      const orchestratorCount = Number(values.orchestrators);
      if (!Number.isInteger(orchestratorCount) || orchestratorCount < 1 || orchestratorCount > 8) {
        throw new RangeError(`--orchestrators must be 1..8, got "${values.orchestrators}"`);
      }
      const stack = await startDevStack({
        host: values.host,
        gatewayPort: port(values['gateway-port'], 8088),
        orchestratorPort: port(values['orchestrator-port'], 8935),
        orchestrators: orchestratorCount,
        ...(values.chain ? { chainPort: port(values['chain-port'], 8545) } : {}),
      });
      closeOnSignal('dev', stack);
      process.stdout.write(
        [
          '',
          'PeerFrame local stack is up:',
          `  WHIP ingest    ${stack.gatewayUrl}/whip?pipeline=invert   (POST application/sdp)`,
          `  gateway        ${stack.gatewayUrl}/streams   ${stack.gatewayUrl}/orchestrators   ${stack.gatewayUrl}/metrics`,
          ...stack.orchestratorUrls.map((url) => `  orchestrator   ${url}/info`),
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
      process.stderr.write(`Unknown command "${command}"\n\n${usage}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`peerframe: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
