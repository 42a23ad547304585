/**
 * How long a worker and the clients it drives waited for a CPU (Linux scheduler statistics), so a
 * bound that ran out while the client was runnable but not running is told apart from a client
 * that did not answer. A measurement of the harness's machine, never an observation of the client.
 *
 * /proc/<pid>/task/<tid>/schedstat: "<ns on a CPU> <ns runnable, waiting for a CPU> <timeslices>"
 * (sched-stats.rst). Every thread of the worker's process tree is read at the start and at the end
 * of a window; a thread born in the window counts from zero, one that died in it is lost. The
 * kernel adds a wait to the counter when the thread next runs, so a window also holds the rest of
 * a wait that was under way at its start: a short window can show more wait than its length.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { processTree } from '../clients/processes';

export { processTree } from '../clients/processes';
import type { CpuWait } from '../evidence/machine';

export type { CpuWait } from '../evidence/machine';

/** Run delay and CPU time (ns) per thread, keyed "pid/tid" (thread ids are not reused within a window in practice). */
export interface SchedSample {
  at: number;
  threads: Map<string, { delayNs: number; cpuNs: number }>;
  processes: number;
}

/** Scheduler statistics of every thread of the tree (an empty sample where /proc has none). */
export function sampleSched(root = process.pid): SchedSample {
  const threads = new Map<string, { delayNs: number; cpuNs: number }>();
  const pids = processTree(root);
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const [cpu, delay] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
        if (Number.isFinite(cpu) && Number.isFinite(delay)) threads.set(`${pid}/${tid}`, { delayNs: delay!, cpuNs: cpu! });
      } catch {
        // ended while we looked
      }
    }
  }
  return { at: performance.now(), threads, processes: pids.length };
}

/** The CPU wait between two samples of the same tree. */
export function cpuWaitBetween(start: SchedSample, end: SchedSample): CpuWait {
  let wait = 0;
  let max = 0;
  let cpu = 0;
  for (const [key, now] of end.threads) {
    const then = start.threads.get(key) ?? { delayNs: 0, cpuNs: 0 };
    const d = Math.max(0, now.delayNs - then.delayNs);
    wait += d;
    max = Math.max(max, d);
    cpu += Math.max(0, now.cpuNs - then.cpuNs);
  }
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    windowMs: Math.round(end.at - start.at),
    waitMs: ms(wait),
    maxThreadWaitMs: ms(max),
    cpuMs: ms(cpu),
    processes: end.processes,
  };
}

/** Whether this machine reports scheduler statistics at all (else cpuWait is not measured). */
export function schedStatsAvailable(): boolean {
  try {
    readFileSync('/proc/self/schedstat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/**
 * The CPU wait of each visit over its navigation bound: from begin(i) until boundMs later (a
 * timer takes the sample when the bound runs out), or until the next visit begins or end() is
 * called, if sooner. What happens after a bound ran out (an error page, the screenshot) is not
 * the bound's and stays out.
 */
export class BoundWindows {
  private readonly windows: { start: SchedSample; end?: SchedSample; timer: NodeJS.Timeout }[] = [];

  constructor(private readonly boundMs: number) {}

  begin(visit: number): void {
    for (const w of this.windows) this.close(w);
    const w = { start: sampleSched(), timer: undefined as unknown as NodeJS.Timeout };
    w.timer = setTimeout(() => this.close(w), this.boundMs);
    this.windows[visit] = w;
  }

  end(): void {
    for (const w of this.windows) this.close(w);
  }

  waits(): CpuWait[] {
    return this.windows.flatMap((w) => (w.end ? [cpuWaitBetween(w.start, w.end)] : []));
  }

  private close(w: { start: SchedSample; end?: SchedSample; timer: NodeJS.Timeout } | undefined): void {
    if (!w || w.end) return;
    clearTimeout(w.timer);
    w.end = sampleSched();
  }
}
