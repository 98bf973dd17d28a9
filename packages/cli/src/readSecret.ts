import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CliUsageError } from './parseChainAmount.ts';

/**
 * The secrets `peerframe` takes. Each comes from its environment variable or from `--<name>-file`
 * (a file only its owner can read), never from the command line: every user of the machine can
 * read a process's arguments (`ps`, `/proc/<pid>/cmdline`), while its environment and a 0600 file
 * are its owner's alone.
 */
export const secretSources = {
  key: { envVar: 'PEERFRAME_ETH_KEY', what: 'the Ethereum key' },
  'ticket-secret': { envVar: 'PEERFRAME_TICKET_SECRET', what: 'the ticket secret' },
  'admin-token': { envVar: 'PEERFRAME_ADMIN_TOKEN', what: 'the admin token' },
  'orchestrator-admin-token': {
    envVar: 'PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN',
    what: "the orchestrator operator's token",
  },
  'worker-credential': { envVar: 'PEERFRAME_WORKER_CREDENTIAL', what: 'the worker credential' },
  'redis-url': {
    envVar: 'PEERFRAME_REDIS_URL',
    what: 'the Redis URL the gateways share (it may carry a password)',
  },
} as const;

export type SecretName = keyof typeof secretSources;

/** Why a secret was refused: on the command line, in a file others can read, or unreadable. */
export type SecretSourceReason =
  | 'secret_in_arguments'
  | 'secret_file_not_private'
  | 'secret_file_unreadable'
  | 'secret_empty';

/** A secret given where it is not safe, or not readable: `peerframe` exits with code 2. */
export class SecretSourceError extends CliUsageError {
  override name = 'SecretSourceError';
  readonly reason: SecretSourceReason;
  constructor(reason: SecretSourceReason, details: string) {
    super(details);
    this.reason = reason;
  }
}

/** Refuses `--key`, `--ticket-secret` and `--admin-token` given with a value on the command line. */
export function refuseSecretArguments(values: Readonly<Record<string, unknown>>): void {
  for (const [name, { envVar, what }] of Object.entries(secretSources)) {
    if (values[name] === undefined) continue;
    throw new SecretSourceError(
      'secret_in_arguments',
      `--${name}: ${what} is not taken on the command line, where any user of this machine can read it (ps, /proc/<pid>/cmdline); set ${envVar}, or use --${name}-file <file> (chmod 600)`,
    );
  }
}

/** Largest secret file read (a key, a token, a password: a few hundred bytes at most). */
const maxSecretFileBytes = 64 * 1024;

/**
 * The contents of a file holding a secret, refused unless only its owner may read or write it
 * (mode 0600 or 0400; `flag` names the option in the error). Checked on the open file, so the file
 * cannot be swapped between the check and the read. Not checked on Windows (no POSIX modes).
 */
export function readSecretFile(path: string, flag: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SecretSourceError('secret_file_unreadable', `${flag}: cannot read ${path} (${code})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      throw new SecretSourceError('secret_file_unreadable', `${flag}: ${path} is not a file`);
    }
    const mode = stat.mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SecretSourceError(
        'secret_file_not_private',
        `${flag}: ${path} has mode ${mode.toString(8).padStart(4, '0')}, so other users can read or change it; make it private: chmod 600 ${path}`,
      );
    }
    if (stat.size > maxSecretFileBytes) {
      throw new SecretSourceError(
        'secret_file_unreadable',
        `${flag}: ${path} is ${stat.size} bytes, more than a secret (limit ${maxSecretFileBytes})`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * A secret from `--<name>-file <file>` (which wins) or its environment variable, surrounding
 * whitespace removed; undefined when neither is set (an empty variable is unset). Refuses the
 * secret on the command line (`--<name> <value>`), a file others can read, and an empty file.
 */
export function readSecret(
  name: SecretName,
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  refuseSecretArguments({ [name]: values[name] });
  const file = values[`${name}-file`];
  if (typeof file === 'string') {
    const secret = readSecretFile(file, `--${name}-file`).trim();
    if (!secret) throw new SecretSourceError('secret_empty', `--${name}-file: ${file} is empty`);
    return secret;
  }
  return env[secretSources[name].envVar]?.trim() || undefined;
}
