/**
 * The processes a driver started, found by parent pid, so a hung client can be stopped for good:
 * Playwright's own close of a browser that no longer answers waits 30 s before it kills.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Every process's children by parent pid, from one pass over /proc (Linux; elsewhere empty). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return children;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may itself contain spaces and ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Direct children of a process, this one by default (elsewhere than Linux an empty set, and hangs fall back to Playwright's own kill). */
export function childPids(parent = process.pid): Set<number> {
  return new Set(childrenByParent().get(parent) ?? []);
}

/** A process and all its descendants, the root first. */
export function processTree(root = process.pid): number[] {
  const children = childrenByParent();
  const tree: number[] = [];
  for (const queue = [root]; queue.length; ) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Runs launch() and returns what it returned plus the child processes that appeared meanwhile. */
export async function withNewChildren<T>(launch: () => Promise<T>): Promise<{ value: T; pids: number[] }> {
  const before = childPids();
  const value = await launch();
  return { value, pids: [...childPids()].filter((p) => !before.has(p)) };
}

export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
