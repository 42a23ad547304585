/**
 * Where a case's time goes, per phase, so speed work is judged by numbers (npm run bench). Timings
 * are measurements of the harness, not observations of the client: no fact reads them.
 */
import { performance } from 'node:perf_hooks';

export const PHASES = [
  'launch',
  'context',
  'navigation',
  'dwell',
  'liveness',
  'page read',
  'probe',
  'screenshot',
  'settle',
  'dispose',
] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseTimes = Partial<Record<Phase, number>>;

/** Adds up the time spent in each phase (a phase may run several times, e.g. one navigation per visit). */
export class PhaseClock {
  readonly times: PhaseTimes = {};

  async time<T>(phase: Phase, work: Promise<T> | (() => Promise<T>)): Promise<T> {
    const t0 = performance.now();
    try {
      return await (typeof work === 'function' ? work() : work);
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  add(phase: Phase, ms: number): void {
    this.times[phase] = Math.round(((this.times[phase] ?? 0) + ms) * 10) / 10;
  }

  merge(other: PhaseTimes | undefined): void {
    for (const [phase, ms] of Object.entries(other ?? {})) this.add(phase as Phase, ms);
  }
}
