import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) process `pid` has used so far, from `/proc/<pid>/stat`. */
export function processCpuSeconds(pid: number): number {
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** The child processes of `pid` (from `/proc/<pid>/task/<tid>/children`; none once it exited). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (listed) children.push(...listed.split(/\s+/).map(Number));
    }
  } catch {
    return children;
  }
  return children;
}

/**
 * CPU seconds of `pid` and its live children (a gateway and its mediasoup worker): the worker's
 * CPU is read from its own `/proc/<pid>/stat`, as a child's is counted in its parent's only
 * once it has exited and been waited for.
 */
export function processTreeCpuSeconds(pid: number): number {
  let seconds = processCpuSeconds(pid);
  for (const child of childPids(pid)) {
    try {
      seconds += processCpuSeconds(child);
    } catch {
      // It exited between the listing and the read.
    }
  }
  return seconds;
}
