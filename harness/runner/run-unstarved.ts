/**
 * runCase, with the machine's speed taken out of the verdict: an attempt in which a bound ran out
 * while the client was starved of CPU (starvation.ts) is run again, alone on the machine
 * (machine-gate.ts); the record keeps the attempts it replaced. A re-run alone that is starved
 * again (the client needs more CPU than the machine has) but gives the outcome of the attempt
 * before it is kept: two different waits, one outcome. A case whose starved attempts disagree on
 * every attempt, or a harness error (a hang bound) that ran out under starvation on the last one,
 * is a harness error that says so.
 */
import type { Lab } from './lab';
import type { LoadedFixture } from '../cases/load';
import type { CaseRecord } from '../evidence/record';
import { outcomeText, type StarvedAttempt } from '../evidence/machine';
import { HarnessBoundError, HarnessError } from '../vocabulary/harness-errors';
import { runCase, type RunOptions } from './run-case';
import { cpuWaitBetween, sampleSched } from './cpu-wait';
import { MAX_ATTEMPTS, starvedAttempt, starvedBounds, starvedFor, visitFailures, waitOver } from './starvation';
import type { MachineGate } from './machine-gate';

/** The gate's part here: start a case, and take the machine alone for a re-run. */
export type Gate = Pick<MachineGate, 'enter' | 'leave' | 'alone'>;

/** runCase in a lab, re-run where starved. */
export function runCaseUnstarved(lab: Lab, fixture: LoadedFixture, gate: Gate | undefined, options: RunOptions = {}): Promise<CaseRecord> {
  return runUnstarved(fixture, gate, () => runCase(lab, fixture, options));
}

/** Runs attempt() until an attempt is not starved, at most maxAttempts times, the re-runs alone. */
export async function runUnstarved(
  fixture: LoadedFixture,
  gate: Gate | undefined,
  attemptCase: () => Promise<CaseRecord>,
  maxAttempts = MAX_ATTEMPTS,
): Promise<CaseRecord> {
  const attempts: StarvedAttempt[] = [];
  await gate?.enter();
  try {
    for (let attempt = 1; ; attempt++) {
      // A re-run has the machine to itself: the other workers finish their case and wait.
      const alone = attempt > 1 ? await gate?.alone() : undefined;
      try {
        const start = sampleSched();
        let record: CaseRecord;
        try {
          record = await attemptCase();
        } catch (e) {
          // A harness bound (the client "stopped answering") that ran out while it waited for a CPU.
          const wait = cpuWaitBetween(start, sampleSched());
          if (!(e instanceof HarnessBoundError) || !starvedFor(wait, e.boundMs)) throw e;
          attempts.push(starvedAttempt([{ what: `a harness bound: ${e.message}`, boundMs: e.boundMs, window: 0 }], wait, []));
          if (attempt >= maxAttempts) throw starvedError(attempts);
          continue;
        }
        const starved = starvedBounds(record, fixture);
        const failures = visitFailures(record);
        const outcome = outcomeText(failures);
        const kept = (notes: string[] = []) =>
          attempts.length
            ? { ...record, harness: { ...record.harness, notes: [...record.harness.notes, ...notes], starvedAttempts: attempts } }
            : record;
        if (!starved.length) return kept();
        // Alone on the machine and starved all the same (a client that needs more CPU than the
        // machine has: Chromium on one core), with the outcome of the attempt before, which waited
        // more: the outcome did not depend on the wait, so it is the client's.
        const before = attempts[attempts.length - 1];
        if (alone && before && outcomeText(before.failures) === outcome)
          return kept([
            `starved on the re-run alone too (one thread waited ${waitOver(record, starved[0]!)!.maxThreadWaitMs} ms), with the outcome of the attempt before (${outcome}, after ${before.cpuWait.maxThreadWaitMs} ms): the outcome did not depend on the wait`,
          ]);
        attempts.push(starvedAttempt(starved, waitOver(record, starved[0]!)!, failures));
        if (attempt >= maxAttempts) throw starvedError(attempts);
      } finally {
        alone?.release();
      }
    }
  } finally {
    gate?.leave();
  }
}

function starvedError(attempts: readonly StarvedAttempt[]): HarnessError {
  const last = attempts[attempts.length - 1]!;
  return new HarnessError(
    `starved of CPU on all ${attempts.length} attempts (the last one alone on the machine): ${last.bounds.join('; ')} ran out while one ` +
      `thread of the client waited ${last.cpuWait.maxThreadWaitMs} ms for a CPU; the machine, not the client, decided the outcome`,
  );
}
