/**
 * CPU time of a process and of its reaped children (Linux /proc), for npm run bench: where a run's
 * CPU goes (the harness's own Node work against the clients it drove). Measurements of the
 * harness, never observations.
 */
import { readFileSync } from 'node:fs';

/** CPU time (ms) of this process's reaped children, their descendants included (cutime + cstime). */
export function reapedChildrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5), cutime and cstime, in clock ticks (100 a second on Linux).
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (ms) this process used itself, user and system. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
}
