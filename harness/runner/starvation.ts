/**
 * A bound that ran out while the client waited for a CPU is the harness's, not the browser's.
 *
 * A case's record says which of its bounds ran out (a navigation's timeout, the WebSocket probe's,
 * the settle bound) and how long the worker's process tree waited for a CPU in each visit
 * (harness.cpuWait). Where one thread of the tree waited longer than STARVED_SHARE of a bound that
 * ran out, the machine, not the client, may have spent the bound: the case is run again, alone on
 * the machine (machine-gate.ts), and the starved attempt is kept beside the record. A case starved
 * on every attempt is a harness error, never an observation.
 *
 * Why the longest wait of one thread: a client busy with a case of its own keeps both cores of
 * this kind of machine busy for a moment (a fresh renderer's threads wait 0.3-0.5 s for a core on
 * an idle machine), so the sum over threads says little; the longest single wait is a lower bound
 * of how late the client's critical path ran. Measured over a 3 s navigation bound that ran out
 * (fault-no-answer, status-200-then-silence), the case alone on a 2-core machine: Firefox 6-8 %,
 * Chromium 10-15 % (its own threads compete for the two cores); beside a Firefox case, 80 %.
 */
import type { CaseRecord } from '../evidence/record';
import type { CpuWait, StarvedAttempt } from '../evidence/machine';
import { failureCode } from '../evidence/failure';
import type { LoadedFixture } from '../cases/load';
import { WS_NO_RESULT } from '../clients/page-observation';
import { settleRule } from './run-case';

/** The share of a bound one thread may spend waiting for a CPU before the bound is the machine's. */
export const STARVED_SHARE = 0.25;

/** Attempts of a case before starvation is a harness error: the first with the others, then alone. */
export const MAX_ATTEMPTS = 3;

export interface RanOutBound {
  what: string;
  boundMs: number;
  /** 0-based visit whose navigation bound it is, or "settle". */
  window: number | 'settle';
}

/** The bounds that ran out in a case, read from its record. */
export function boundsRanOut(record: CaseRecord, fixture: LoadedFixture): RanOutBound[] {
  const visits = record.visits ?? (record.navigation ? [record.navigation] : []);
  const bounds: RanOutBound[] = [];
  const timeoutMs = fixture.client.timeoutMs;
  visits.forEach((v, i) => {
    if (v.failure && failureCode(v.failure) === 'timeout')
      bounds.push({ what: `visit ${i + 1}: the navigation's bound (${timeoutMs} ms)`, boundMs: timeoutMs, window: i });
    if (v.probe === WS_NO_RESULT)
      bounds.push({ what: `visit ${i + 1}: the WebSocket probe's bound (${timeoutMs} ms)`, boundMs: timeoutMs, window: i });
  });
  if (record.harness.settleBoundRanOut) {
    const { boundMs } = settleRule(fixture);
    bounds.push({ what: `the settle bound (${boundMs} ms)`, boundMs, window: 'settle' });
  }
  return bounds;
}

/** Whether a window's CPU wait can have spent a bound of boundMs. */
export function starvedFor(wait: CpuWait | undefined, boundMs: number): boolean {
  return !!wait && wait.maxThreadWaitMs >= STARVED_SHARE * boundMs;
}

/** The bounds of a record that ran out while the client was starved (empty: the record is the client's). */
export function starvedBounds(record: CaseRecord, fixture: LoadedFixture): RanOutBound[] {
  return boundsRanOut(record, fixture).filter((b) => starvedFor(waitOver(record, b), b.boundMs));
}

/** The CPU wait over the window a bound ran out in. */
export function waitOver(record: CaseRecord, bound: RanOutBound): CpuWait | undefined {
  return bound.window === 'settle' ? record.harness.settleCpuWait : record.harness.cpuWait?.[bound.window];
}

/** The attempt as kept beside the record that replaced it. */
export function starvedAttempt(bounds: readonly RanOutBound[], cpuWait: CpuWait, failures: StarvedAttempt['failures']): StarvedAttempt {
  return { bounds: bounds.map((b) => b.what), cpuWait, failures };
}

/** A record's visits as raw failures (null for a visit that succeeded). */
export function visitFailures(record: CaseRecord): StarvedAttempt['failures'] {
  const visits = record.visits ?? (record.navigation ? [record.navigation] : []);
  return visits.map((v) => v.failure ?? null);
}
