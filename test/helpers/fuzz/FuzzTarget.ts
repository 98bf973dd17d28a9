import { BaseError } from '@peerframe/core';
import { Rng } from './Rng.ts';

/** What one fuzz case ended in. */
export type CaseResult = {
  /** A bucket for the summary: an HTTP status and error code, an error class and code, `valid`. */
  outcome: string;
  /** Set when the case broke a rule (5xx, untyped error, hang, a valid input refused, …). */
  failure?: string | undefined;
  /** The mutations applied, to replay and understand a failure. */
  mutations: string[];
};

/** One thing under fuzz: each case is built from `Rng.forCase(seed, index)`, so it replays. */
export type FuzzTarget = {
  readonly name: string;
  runCase(rng: Rng, index: number): Promise<CaseResult>;
  close(): Promise<void>;
};

export type FuzzFailure = CaseResult & { index: number; failure: string };

export type FuzzReport = {
  target: string;
  seed: number;
  cases: number;
  /** Cases per outcome bucket. */
  outcomes: Record<string, number>;
  failures: FuzzFailure[];
  durationMs: number;
};

export type RunFuzzOptions = {
  seed: number;
  cases: number;
  /** Cases in flight at once (default 1). */
  concurrency?: number;
  /** A case not finished after this long is a failure (`hang`), ms (default 20 000). */
  caseTimeoutMs?: number;
  /** Failures kept in the report (default 20; all are counted). */
  keepFailures?: number;
  /** Called after every case (progress). */
  onCase?: (index: number, result: CaseResult) => void;
};

/** Runs `cases` cases of `target`, counting outcomes; a case that throws or hangs is a failure. */
export async function runFuzz(target: FuzzTarget, options: RunFuzzOptions): Promise<FuzzReport> {
  const { seed, cases, concurrency = 1, caseTimeoutMs = 20_000, keepFailures = 20 } = options;
  const outcomes: Record<string, number> = {};
  const failures: FuzzFailure[] = [];

  const started = performance.now();
  let nextIndex = 0;
  const worker = async () => {
    for (let index = nextIndex++; index < cases; index = nextIndex++) {
      const result = await runOneCase(target, seed, index, caseTimeoutMs);
      const bucket = result.failure ? `FAIL ${result.outcome}` : result.outcome;
      outcomes[bucket] = (outcomes[bucket] ?? 0) + 1;
      if (result.failure) {
        if (failures.length < keepFailures) {
          failures.push({ ...result, index, failure: result.failure });
        }
      }
      options.onCase?.(index, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return {
    target: target.name,
    seed,
    cases,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort(([a], [b]) => a.localeCompare(b))),
    failures,
    durationMs: Math.round(performance.now() - started),
  };
}

async function runOneCase(
  target: FuzzTarget,
  seed: number,
  index: number,
  timeoutMs: number,
): Promise<CaseResult> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<CaseResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ outcome: 'hang', failure: `no result after ${timeoutMs} ms`, mutations: [] }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([target.runCase(Rng.forCase(seed, index), index), hang]);
  } catch (error) {
    return {
      outcome: `threw ${describeError(error)}`,
      failure: `the case itself threw: ${String(error)}`,
      mutations: [],
    };
  } finally {
    clearTimeout(timer);
  }
}

/** `ClassName:code` for a PeerFrame error, `ClassName` (or `typeof`) for anything else. */
export function describeError(error: unknown): string {
  if (error instanceof BaseError) return `${error.name}:${error.code}`;
  if (error instanceof Error) return error.name;
  return typeof error;
}

/** A PeerFrame error: a `BaseError` subclass with a stable code. */
export function isTypedError(error: unknown): error is BaseError {
  return error instanceof BaseError && typeof error.code === 'string' && error.code.length > 0;
}

/** Total failures in a report (the kept list may be shorter). */
export function failureCount(report: FuzzReport): number {
  return Object.entries(report.outcomes)
    .filter(([bucket]) => bucket.startsWith('FAIL '))
    .reduce((sum, [, count]) => sum + count, 0);
}

/** The kept failures, one per line, to read in a failed assertion. */
export function formatFailures(report: FuzzReport): string {
  const lines = report.failures.map(
    (f) =>
      `#${f.index} [${f.outcome}] ${f.failure} (mutations: ${f.mutations.join(' ') || 'none'})`,
  );
  return `${report.target} seed ${report.seed}: ${failureCount(report)} of ${report.cases} cases broke a rule\n${lines.join('\n')}`;
}

/** A fuzz seed from `FUZZ_SEED` (to replay a run) or the given default. */
export function fuzzSeed(fallback: number): number {
  const value = Number(process.env.FUZZ_SEED);
  return Number.isInteger(value) ? value : fallback;
}
