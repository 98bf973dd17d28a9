import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { setMediaHeapGrowth } from './setMediaHeapGrowth.ts';

const run = promisify(execFile);
const source = fileURLToPath(new URL('./setMediaHeapGrowth.ts', import.meta.url));

/**
 * In a fresh process (started with `nodeArgs`): `setMediaHeapGrowth(percent)`, then a live heap of
 * ~20 MB and 4 million short-lived objects of which a ring of 300,000 outlives the young
 * generation; how many full collections that took, and what the call returned.
 */
async function fullCollections(
  percent: number,
  nodeArgs: string[] = [],
): Promise<{ major: number; set: number | null }> {
  const script = `
    import { constants, PerformanceObserver } from 'node:perf_hooks';
    import { setMediaHeapGrowth } from ${JSON.stringify(source)};
    const set = setMediaHeapGrowth(${percent}) ?? null;
    let major = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    });
    observer.observe({ entryTypes: ['gc'] });
    const live = Array.from({ length: 200_000 }, (_, i) => ({ i, name: 'packet ' + i, list: [i, i + 1] }));
    const ring = new Array(300_000);
    for (let n = 0; n < 4_000_000; n++) ring[n % ring.length] = { n, payload: [n, n, n, n], at: 't' + n };
    await new Promise((resolve) => setTimeout(resolve, 50));
    observer.disconnect();
    process.stdout.write(JSON.stringify({ major, set, kept: live.length + ring.length }));
  `;
  const { stdout } = await run(process.execPath, [
    ...nodeArgs,
    '--input-type=module',
    '--eval',
    script,
  ]);
  return JSON.parse(stdout) as { major: number; set: number | null };
}

describe('setMediaHeapGrowth', () => {
  it("sets the process's heap growing factor, unless the process was started with its own", async () => {
    const [slow, fast, own] = await Promise.all([
      fullCollections(10),
      fullCollections(400),
      // The operator's own flag (400 %) stays: a call for 10 % changes nothing.
      fullCollections(10, ['--heap-growing-percent=400']),
    ]);
    expect(slow.set).toBe(10);
    expect(fast.set).toBe(400);
    expect(own.set).toBeNull();
    // A heap allowed to grow further is collected in full less often, by the same allocations.
    expect(fast.major).toBeLessThan(slow.major);
    expect(own.major).toBeLessThan(slow.major);
  });

  it('refuses a percent out of range', () => {
    expect(() => setMediaHeapGrowth(0)).toThrow(/integer from 1 to 1000, got 0/);
    expect(() => setMediaHeapGrowth(2.5)).toThrow(RangeError);
  });
});
