import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

/** Throttling counters of a CPU quota's cgroup (its `cpu.stat`). */
export type CpuQuotaStats = {
  /** Enforcement periods that have elapsed while the group had runnable tasks. */
  periods: number;
  /** Of those, the periods in which it ran out of quota and was throttled. */
  throttledPeriods: number;
  /** Total time its tasks were held throttled, µs. */
  throttledUs: number;
};

export type CpuQuotaOptions = {
  /** CPU the group may use, in cores (0.5: half of one core over each period). */
  cores: number;
  /**
   * The CFS enforcement period, µs (default 10 000). The kernel's default, 100 ms, would let a
   * saturated process run flat out for `cores` × 100 ms and then stall it for the rest of the
   * period: tens of ms of stall that the latency bound would read as the knee. A short period
   * spreads the same quota into short slices (the kernel hands out quota in 5 ms slices).
   */
  periodUs?: number;
  /**
   * The group's weight against the machine's other work, as v1's `cpu.shares` (default 8192: 8× a
   * process's 1024; v2's `cpu.weight` gets the same ratio of its 100). A group competes with
   * other runnable tasks as one, so at the default weight, on a machine with other work, it would
   * get less than its quota; weighted up, it gets its quota whenever it asks and never more.
   */
  shares?: number;
  /**
   * Pins the group to this CPU (a cpuset cgroup; default: the machine's last CPU; null: no pin).
   * Unpinned, the quota misleads: the kernel hands it to each CPU's run queue in 5 ms slices, so
   * with a 5 ms quota a thread on one CPU (a GC helper) takes all of it and the main thread on the
   * other is held, throttled at a small average use (seen: 4 streams, 13 % of a core, held in 4–15
   * % of periods of a 0.5-core quota).
   */
  pinCpu?: number | null;
};

export const defaultCpuQuotaOptions = { periodUs: 10_000, shares: 8_192 } as const;

/** Where a cgroup's CPU controller lives on this machine, and which interface it speaks. */
function cpuController():
  | { root: string; version: 1 | 2; cpusetRoot: string | undefined }
  | string {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const controllers = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8');
    if (!controllers.split(/\s+/).includes('cpu')) return 'cgroup v2 without the cpu controller';
    return {
      root: '/sys/fs/cgroup',
      version: 2,
      cpusetRoot: controllers.split(/\s+/).includes('cpuset') ? '/sys/fs/cgroup' : undefined,
    };
  }
  if (existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) {
    return {
      root: '/sys/fs/cgroup/cpu',
      version: 1,
      cpusetRoot: existsSync('/sys/fs/cgroup/cpuset/cpuset.cpus')
        ? '/sys/fs/cgroup/cpuset'
        : undefined,
    };
  }
  return 'no cgroup cpu controller mounted at /sys/fs/cgroup';
}

/**
 * A CPU quota for the processes put into it: a cgroup of its own (v1's `cpu` controller with
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us`, or v2's `cpu.max`), made by `create()` and removed by
 * `close()`. Needs a writable cgroup hierarchy (root, or a delegated one); where there is none,
 * `create()` answers why instead of a quota, and the caller runs without one.
 */
export class CpuQuota {
  readonly cores: number;
  readonly periodUs: number;
  readonly path: string;
  /** The CPU the group is pinned to, if it is. */
  readonly pinnedCpu: number | undefined;
  /** Why it is not pinned, where a pin was asked for. */
  readonly notPinned: string | undefined;
  readonly #version: 1 | 2;
  /** Each cgroup (v1: cpu, and cpuset where pinned) and its parent's `cgroup.procs`. */
  readonly #groups: { path: string; parentProcs: string }[];

  private constructor(
    fields: Pick<CpuQuota, 'path' | 'cores' | 'periodUs' | 'pinnedCpu' | 'notPinned'>,
    version: 1 | 2,
    groups: { path: string; parentProcs: string }[],
  ) {
    this.path = fields.path;
    this.cores = fields.cores;
    this.periodUs = fields.periodUs;
    this.pinnedCpu = fields.pinnedCpu;
    this.notPinned = fields.notPinned;
    this.#version = version;
    this.#groups = groups;
  }

  /** A quota of `cores`, or the reason it cannot be made here (a string). */
  static create(options: CpuQuotaOptions): CpuQuota | string {
    const periodUs = options.periodUs ?? defaultCpuQuotaOptions.periodUs;
    if (!(options.cores > 0) || !Number.isFinite(options.cores)) {
      throw new RangeError(`cores must be a positive number, got ${options.cores}`);
    }
    if (!Number.isInteger(periodUs) || periodUs < 1_000 || periodUs > 1_000_000) {
      throw new RangeError(`periodUs must be an integer from 1000 to 1000000, got ${periodUs}`);
    }
    const controller = cpuController();
    if (typeof controller === 'string') return controller;
    const quotaUs = Math.max(1_000, Math.round(options.cores * periodUs));
    const shares = options.shares ?? defaultCpuQuotaOptions.shares;
    const name = `peerframe-capacity-${process.pid}-${Date.now()}`;
    const path = join(controller.root, name);
    try {
      mkdirSync(path);
    } catch (error) {
      return `cannot make a cgroup under ${controller.root}: ${(error as Error).message}`;
    }
    try {
      if (controller.version === 1) {
        writeFileSync(join(path, 'cpu.cfs_period_us'), String(periodUs));
        writeFileSync(join(path, 'cpu.cfs_quota_us'), String(quotaUs));
        writeFileSync(join(path, 'cpu.shares'), String(shares));
      } else {
        writeFileSync(join(path, 'cpu.max'), `${quotaUs} ${periodUs}`);
        const weight = Math.min(10_000, Math.max(1, Math.round((shares * 100) / 1024)));
        writeFileSync(join(path, 'cpu.weight'), String(weight));
      }
    } catch (error) {
      rmdirSync(path);
      return `cannot set a CPU quota on ${path}: ${(error as Error).message}`;
    }
    const groups = [{ path, parentProcs: join(controller.root, 'cgroup.procs') }];
    const pinCpu = options.pinCpu === undefined ? availableParallelism() - 1 : options.pinCpu;
    let pinnedCpu: number | undefined;
    let notPinned: string | undefined;
    if (pinCpu !== null) {
      const pinned = pin(controller, name, pinCpu);
      if (typeof pinned === 'string') notPinned = pinned;
      else {
        pinnedCpu = pinCpu;
        if (pinned.path !== path) groups.push(pinned);
      }
    }
    const fields = { path, cores: quotaUs / periodUs, periodUs, pinnedCpu, notPinned };
    return new CpuQuota(fields, controller.version, groups);
  }

  /** Moves process `pid` (all its threads; the children it starts later follow) into the quota. */
  add(pid: number): void {
    for (const group of this.#groups) writeFileSync(join(group.path, 'cgroup.procs'), String(pid));
  }

  stats(): CpuQuotaStats {
    const fields = new Map(
      readFileSync(join(this.path, 'cpu.stat'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const [key, value] = line.split(' ');
          return [key ?? '', Number(value)] as const;
        }),
    );
    return {
      periods: fields.get('nr_periods') ?? 0,
      throttledPeriods: fields.get('nr_throttled') ?? 0,
      throttledUs:
        this.#version === 1
          ? (fields.get('throttled_time') ?? 0) / 1_000
          : (fields.get('throttled_usec') ?? 0),
    };
  }

  /** Moves what is still inside back to the root groups and removes the cgroups. */
  close(): void {
    for (const { path, parentProcs } of this.#groups) {
      if (!existsSync(path)) continue;
      const left = readFileSync(join(path, 'cgroup.procs'), 'utf8').trim();
      for (const pid of left ? left.split('\n') : []) {
        try {
          writeFileSync(parentProcs, pid);
        } catch {
          // It exited in between.
        }
      }
      rmdirSync(path);
    }
  }
}

/**
 * Pins cgroup `name` to `cpu`: v1, a cpuset cgroup of that name beside the cpu one; v2, the same
 * cgroup's `cpuset.cpus` (where its parent delegates cpuset). The cgroup, or why it could not.
 */
function pin(
  controller: { root: string; version: 1 | 2; cpusetRoot: string | undefined },
  name: string,
  cpu: number,
): { path: string; parentProcs: string } | string {
  const root = controller.cpusetRoot;
  if (!root) return 'no cpuset controller';
  const path = join(root, name);
  try {
    if (controller.version === 1) {
      mkdirSync(path);
      try {
        writeFileSync(join(path, 'cpuset.cpus'), String(cpu));
        writeFileSync(join(path, 'cpuset.mems'), readFileSync(join(root, 'cpuset.mems'), 'utf8'));
      } catch (error) {
        rmdirSync(path);
        throw error;
      }
    } else {
      writeFileSync(join(path, 'cpuset.cpus'), String(cpu));
    }
  } catch (error) {
    return `cannot pin to CPU ${cpu}: ${(error as Error).message}`;
  }
  return { path, parentProcs: join(root, 'cgroup.procs') };
}
