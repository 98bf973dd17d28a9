import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** How log lines are written: one JSON object a line, or readable lines for a person. */
export type LogFormat = 'json' | 'pretty';

let root: Logger | undefined;

/**
 * The log format for a process: `PEERFRAME_LOG_FORMAT` (`json` or `pretty`) when set, else
 * `pretty` when stdout is a terminal (a person reads it) and `json` otherwise (a file, a pipe, a
 * log collector).
 */
export function logFormatFor(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): LogFormat {
  const chosen = env.PEERFRAME_LOG_FORMAT;
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  if (chosen) {
    throw new RangeError(`PEERFRAME_LOG_FORMAT must be json or pretty, got "${chosen}"`);
  }
  return stdoutIsTty ? 'pretty' : 'json';
}

/**
 * A namespaced child of the process-wide pino logger. The level comes from
 * `PEERFRAME_LOG_LEVEL` (default `info`, `silent` under Vitest), the format from `logFormatFor`.
 */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= pino(
    {
      level: process.env.PEERFRAME_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
      base: { pid: process.pid },
    },
    ...(logFormatFor(process.env, process.stdout.isTTY === true) === 'pretty'
      ? [prettyStream()]
      : []),
  );
  return root.child({ component, ...bindings });
}

/**
 * pino-pretty on stdout, written synchronously (a line is out before the process exits), one line
 * per entry: `HH:MM:ss.l LEVEL: component: message {fields}`. Loaded only when used.
 */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty.build({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,component',
    messageFormat: '{component}: {msg}',
    singleLine: true,
    sync: true,
  });
}
