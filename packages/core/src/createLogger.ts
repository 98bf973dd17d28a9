import { type Logger, pino } from 'pino';

export type { Logger };

let root: Logger | undefined;

/**
 * A namespaced child of the process-wide pino logger. The level comes from
 * `PEERFRAME_LOG_LEVEL` (default `info`, `silent` under Vitest).
 */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= pino({
    level: process.env.PEERFRAME_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { pid: process.pid },
  });
  return root.child({ component, ...bindings });
}
