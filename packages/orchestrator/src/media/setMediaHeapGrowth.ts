import { setFlagsFromString } from 'node:v8';

/**
 * How far past its live size, in percent, V8 lets a heap grow before its next full collection in
 * a process that runs media threads (V8's `--heap-growing-percent`).
 */
export const mediaHeapGrowingPercent = 100;

/**
 * Sets V8's heap growing factor to 1 + `percent`/100 for this whole process (V8's flags are
 * per process: every thread, started before or after, collects by it), unless the process was
 * started with its own `--heap-growing-percent`, which then stays. Returns the percent set here,
 * or undefined when the operator's stays.
 *
 * Why: left to itself, V8 sizes a heap's next limit from how fast the thread allocates against
 * how fast its collector marks, counting neither the marking done on its helper threads nor the
 * cores that other work shares. A media thread allocates little per millisecond (werift's
 * per-packet objects, idle between packets) on a 20 MB heap, so V8 let it grow by a few MB and
 * ran a full mark-compact every 200–300 ms at 720p; with the heap allowed to double, three times
 * fewer, and a third less CPU on V8's helper threads (see "What the media thread pays per frame"
 * in docs/architecture.md).
 */
export function setMediaHeapGrowth(percent = mediaHeapGrowingPercent): number | undefined {
  if (!Number.isInteger(percent) || percent < 1 || percent > 1000) {
    throw new RangeError(`The heap growing percent is an integer from 1 to 1000, got ${percent}`);
  }
  const ownFlag = process.execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
  if (ownFlag) return undefined;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
