/**
 * Evidence about the harness's machine during a case, kept beside the client's evidence so a
 * reader can tell "the client did not answer in time" from "the client was waiting for a CPU".
 * Measurements of the harness, never observations of the client: no fact reads them.
 */
import { failureCode, type VisitFailure } from './failure';

/** What a window cost the worker's process tree (worker, browser, renderers, command clients). */
export interface CpuWait {
  /** Wall time of the window, ms. */
  windowMs: number;
  /** Time the tree's threads were runnable but waited for a CPU, added up over threads, ms. */
  waitMs: number;
  /** The longest such wait of any one thread, ms: a lower bound of how far the critical path was stretched. */
  maxThreadWaitMs: number;
  /** CPU time the tree's threads got, ms. */
  cpuMs: number;
  /** Processes in the tree at the end of the window. */
  processes: number;
}

/** An attempt of a case the harness threw away: a bound ran out while the client was starved of CPU. */
export interface StarvedAttempt {
  /** The bounds that ran out (the navigation's timeout, the settle bound, a hang bound…). */
  bounds: string[];
  cpuWait: CpuWait;
  /** The attempt's visits as the client reported them (null: a visit that succeeded; none: a harness error), raw: codes are read when shown. */
  failures: (VisitFailure | null)[];
}

/** An attempt's outcome in the error fact's codes ("timeout, none"), for comparing attempts and for people. */
export function outcomeText(failures: StarvedAttempt['failures'] | undefined): string {
  // Runs of the days before the failures were kept raw stored an "outcome" text instead: not read.
  if (!Array.isArray(failures)) return 'not recorded';
  return failures.length ? failures.map((f) => (f ? failureCode(f) : 'none')).join(', ') : 'harness error';
}
