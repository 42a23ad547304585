/**
 * Re-records expectations/<client>.json from a run's raw results: the one documented command after
 * a deliberate browser upgrade (npm run expectations:update). Cases with harness errors keep their
 * old expectations rather than being overwritten with nothing.
 */
import { computeFacts } from '../observe/facts';
import type { RunResults } from './results';
import { loadExpectations, pinnedFacts, writeExpectations, type ExpectationFile } from '../verdicts/expectations';
import { FIXTURES_DIR, loadFixtures } from '../cases/load';

/** The ids of the built-in fixtures (none when they cannot be loaded: then nothing is pruned by them). */
function builtInCaseIds(): string[] {
  try {
    return loadFixtures(FIXTURES_DIR).map((f) => f.id);
  } catch {
    return [];
  }
}

/**
 * `knownCaseIds`: every case that still exists (default: the run's own fixtures and the built-in
 * set). A run over a subset (CC_FIXTURES_DIR, a --grep) must not delete the expectations of the
 * cases it did not run: only an id no fixture has any more is dropped.
 */
export function updateExpectationsFrom(run: RunResults, dir?: string, knownCaseIds?: ReadonlySet<string>): string[] {
  const known = knownCaseIds ?? new Set([...run.fixtures.map((f) => f.id), ...builtInCaseIds()]);
  const written: string[] = [];
  for (const [client, info] of Object.entries(run.clients)) {
    const observed = run.results.filter((r) => r.client === client && r.status === 'observed' && r.record);
    if (!observed.length) continue;
    const old = loadExpectations(client, dir);
    const file: ExpectationFile = {
      client,
      recordedWith: info.version ?? 'unknown',
      updatedAt: new Date().toISOString(),
      cases: { ...(old?.cases ?? {}) },
    };
    for (const r of observed) {
      const fixture = run.fixtures.find((f) => f.id === r.caseId);
      if (!fixture) continue;
      const now = pinnedFacts(fixture, computeFacts(r.record!));
      // A fact already marked intermittent keeps its list while the new value is one of them.
      const before = old?.cases[r.caseId] ?? {};
      for (const [fact, value] of Object.entries(now)) {
        const prev = before[fact as keyof typeof before];
        if (Array.isArray(prev) && prev.some((p) => String(p) === String(value))) (now as Record<string, unknown>)[fact] = prev;
      }
      file.cases[r.caseId] = now;
    }
    // Drop cases whose fixture no longer exists anywhere.
    for (const id of Object.keys(file.cases)) if (!known.has(id)) delete file.cases[id];
    written.push(writeExpectations(file, dir));
  }
  return written;
}
