import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuQuota } from '../../bench/capacity/CpuQuota.ts';

// The capacity bench's CPU quota (bench/capacity/CpuQuota.ts): a real cgroup, a real busy process.
describe('CpuQuota', () => {
  it('rejects a quota of no CPU and a period the kernel does not take', () => {
    expect(() => CpuQuota.create({ cores: 0 })).toThrow(/cores must be a positive number/);
    expect(() => CpuQuota.create({ cores: 0.5, periodUs: 500 })).toThrow(/periodUs/);
  });

  it('holds a busy process to its quota, then gives it back and removes its cgroup', async (ctx) => {
    const quota = CpuQuota.create({ cores: 0.1 });
    if (typeof quota === 'string') {
      // No writable cgroup here (not root, no delegation): the bench then skips its quota run.
      expect(quota.length).toBeGreaterThan(0);
      ctx.skip();
      return;
    }
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => busy.once('exit', resolve));
    try {
      quota.add(busy.pid as number);
      expect(readFileSync(join(quota.path, 'cgroup.procs'), 'utf8')).toContain(String(busy.pid));
      // A process that never sleeps runs out of 1 ms per 10 ms period in every period.
      while (quota.stats().throttledPeriods < 3) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const { periods, throttledPeriods, throttledUs } = quota.stats();
      expect(throttledPeriods).toBeLessThanOrEqual(periods);
      expect(throttledUs).toBeGreaterThan(0);
    } finally {
      quota.close();
      expect(existsSync(quota.path)).toBe(false);
      expect(busy.exitCode).toBe(null);
      busy.kill('SIGKILL');
      await exited;
    }
  });
});
