import { parseArgs } from 'node:util';
import {
  WorkerCredentials,
  type WorkerMediaPath,
  type WorkerSessionsOptions,
} from '@peerframe/orchestrator';
import { CliUsageError } from './parseChainAmount.ts';

/** Where an orchestrator keeps its worker credentials unless told (hashes only, mode 0600). */
export const defaultWorkerCredentialsFile = 'peerframe-worker-credentials.json';

/** `peerframe --help` lines for workers. */
export const workerCommandsUsage = `  worker          a GPU worker that dials out --orchestrator <url> and runs the sessions it
                  hands it; the credential from PEERFRAME_WORKER_CREDENTIAL or
                  --worker-credential-file <file> (chmod 600); --max-sessions --host (the
                  address its media listens on, which gateways must reach) --name, and the
                  pipeline flags below
  orchestrator worker-credential create --name <name> | revoke <id> | list
                  issue (the secret is printed once), revoke or list worker credentials in
                  --worker-credentials <file> (or PEERFRAME_WORKER_CREDENTIALS; default
                  ${defaultWorkerCredentialsFile}); a running orchestrator drops a revoked worker
                  within a heartbeat`;

/** The orchestrator's worker flags, for `peerframe --help`. */
export const orchestratorWorkerFlagsUsage = `                                           --worker-credentials <file> (or
                                           PEERFRAME_WORKER_CREDENTIALS): take remote workers
                                           (peerframe worker) with credentials from this file;
                                           sessions go to a worker with room first, then to this
                                           node's own --max-sessions (0: dispatch only)
                                           --worker-media direct+relay|direct|relay (default
                                           direct+relay: media gateway <-> worker, relayed through
                                           this node when the worker cannot be reached)`;

/** `parseArgs` options for the worker flags (the orchestrator's and the worker's). */
export const workerFlags = {
  'worker-credentials': { type: 'string' },
  'worker-media': { type: 'string' },
  'worker-credential': { type: 'string' },
  'worker-credential-file': { type: 'string' },
  name: { type: 'string' },
} as const;

function credentialsPath(value: string | undefined): string {
  return value ?? process.env.PEERFRAME_WORKER_CREDENTIALS ?? defaultWorkerCredentialsFile;
}

/** The orchestrator's `workers` option from its flags; undefined without `--worker-credentials`. */
export function orchestratorWorkersFromFlags(values: {
  'worker-credentials'?: string | undefined;
  'worker-media'?: string | undefined;
}): WorkerSessionsOptions | undefined {
  const path = values['worker-credentials'] ?? process.env.PEERFRAME_WORKER_CREDENTIALS;
  if (path === undefined) return undefined;
  const media = values['worker-media'] ?? 'direct+relay';
  if (media !== 'direct' && media !== 'relay' && media !== 'direct+relay') {
    throw new CliUsageError(`--worker-media must be direct+relay, direct or relay, got "${media}"`);
  }
  return { credentials: new WorkerCredentials(path), mediaPath: media as WorkerMediaPath };
}

/**
 * `peerframe orchestrator worker-credential create|revoke|list`; returns the exit code. The
 * secret goes to stdout once, on a line of its own, and is stored only as its sha256.
 */
export function runWorkerCredentialCommand(args: string[], out = process.stdout): number {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { name: { type: 'string' }, 'worker-credentials': { type: 'string' } },
  });
  const credentials = new WorkerCredentials(credentialsPath(values['worker-credentials']));
  switch (action) {
    case 'create': {
      const name = values.name ?? 'worker';
      const { id, secret } = credentials.create(name);
      out.write(
        `Worker credential ${id} (${name}) stored in ${credentials.path}.\nIts secret, shown this once (give it to the worker as PEERFRAME_WORKER_CREDENTIAL or in a chmod 600 file):\n${secret}\n`,
      );
      return 0;
    }
    case 'revoke': {
      const [id] = positionals;
      if (!id) throw new CliUsageError('worker-credential revoke <id>: which credential?');
      if (!credentials.revoke(id)) {
        throw new CliUsageError(`No worker credential ${id} in ${credentials.path}`);
      }
      out.write(`Worker credential ${id} revoked.\n`);
      return 0;
    }
    case 'list': {
      for (const c of credentials.list()) {
        const state = c.revokedAtMs === undefined ? 'valid' : 'revoked';
        out.write(
          `${c.id}  ${state}  ${c.name}  created ${new Date(c.createdAtMs).toISOString()}\n`,
        );
      }
      return 0;
    }
    default:
      throw new CliUsageError(
        `orchestrator worker-credential: create --name <name>, revoke <id> or list, got "${action ?? ''}"`,
      );
  }
}
