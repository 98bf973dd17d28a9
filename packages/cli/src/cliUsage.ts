import { chainCommandsUsage } from './chainCommands.ts';
import { installCudaUsage } from './installCudaCommand.ts';
import { paymentFlagsUsage } from './nodePayments.ts';
import { orchestratorPipelineFlagsUsage } from './orchestratorPipelineFlags.ts';
import { pipelineCommandsUsage } from './pipelineCommands.ts';
import { orchestratorWorkerFlagsUsage, workerCommandsUsage } from './workerCommands.ts';

/** `peerframe --help`: every command and its options. */
export const cliUsage = `peerframe <command> [options]

Commands:
  dev             the whole local stack: local chain (8545) with the protocol deployed,
                  orchestrator(s) registered on it (8935) and paid by the gateway in tickets,
                  gateway discovering them (8088), studio (5173)
                  --orchestrators <n>  --no-chain (static list, no payments)  --chain-port <port>
                  --workers <n>: each orchestrator hands its sessions to n worker processes
                  --studio-port <port>  --no-studio  (the gateway allows the studio's origin,
                  and any --allowed-origin)
                  --admin-token-file <file> (or PEERFRAME_ADMIN_TOKEN): the gateway requires
                  stream keys (default: open mode, anyone may publish)
                  --gateways <n>: n gateways sharing keys, streams and the control channel
                  through Redis (PEERFRAME_REDIS_URL or --redis-url-file, else a private
                  redis-server is started: apt-get install redis-server)
  gateway         a gateway node           --orchestrator <url> (repeatable), or --rpc <url>
                                           --controller <address> (discover on chain); --host --port
                                           --admin-token-file <file> (or PEERFRAME_ADMIN_TOKEN):
                                           require stream keys, made with POST /admin/stream-keys
                                           (secrets never on the command line; files chmod 600)
                                           --key-store <file.sqlite> (or PEERFRAME_KEY_STORE; default
                                           peerframe-stream-keys.sqlite): where keys are kept
                                           PEERFRAME_REDIS_URL (or --redis-url-file <file>): share
                                           keys, streams and the control channel with other
                                           gateways through this Redis
                                           --advertised-url <url> (or PEERFRAME_ADVERTISED_URL):
                                           http(s)://host[:port] other gateways reach this one at,
                                           to relay its streams (default its listening URL; give
                                           it when listening on 0.0.0.0 or behind NAT)
                                           --allowed-origin <origin> (repeatable, or
                                           PEERFRAME_ALLOWED_ORIGINS, comma-separated): web pages
                                           that may use the gateway (default none; * for any)
                                           --fault-injection (tests: POST /streams/:id/faults)
                                           --audio-follow-frames (experimental: the returned sound
                                           follows each processed frame's lag, not their median)
                                           --sfu werift|mediasoup|auto (default werift; mediasoup
                                           needs its worker: MEDIASOUP_WORKER_BIN)
                                           --ice-server <url>[,<username>,<credential>] (repeatable:
                                           STUN/TURN servers sent to clients as WHIP Link headers)
  orchestrator    an orchestrator node     --host --port --max-sessions
                                           --orchestrator-admin-token-file <file> (or
                                           PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN):
                                           the operator's token for GET /sessions and for reading
                                           or ending any session (sessions answer their creator only)
                                           --fault-injection (tests: POST /sessions/:id/faults)
                                           --warmup all|<name,...> (load and warm pipelines at start)
${orchestratorWorkerFlagsUsage}
${workerCommandsUsage}
${orchestratorPipelineFlagsUsage}
${paymentFlagsUsage}
${chainCommandsUsage}
${pipelineCommandsUsage}
${installCudaUsage}`;
