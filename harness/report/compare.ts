/**
 * Run-to-run comparison: per case × client, how the verdict and the observed facts moved between
 * two raw results files. Each run is read with its own stored fixtures, so a fixture edited in
 * between shows up as a change of outcome, not as a crash.
 */
import { buildMatrix } from './view-model';
import type { RunResults } from '../runs/results';
import { SEVERITY, type CellVerdict } from '../vocabulary/verdicts';

export type Transition = 'regressed' | 'improved' | 'changed' | 'added' | 'removed' | 'unchanged';

export interface CaseDiff {
  caseId: string;
  client: string;
  transition: Transition;
  before?: DiffSide;
  after?: DiffSide;
}

/** One side of a cell in a comparison: its verdict, its facts in one line, the client's version. */
export interface DiffSide {
  verdict: string;
  summary: string;
  version?: string;
}

/** The key of a cell in the maps compareCells reads: case id, NUL, client. */
export const cellKey = (caseId: string, client: string) => `${caseId}\u0000${client}`;

function cells(run: RunResults): Map<string, DiffSide> {
  const m = buildMatrix(run);
  const out = new Map<string, DiffSide>();
  for (const row of m.groups.flatMap((g) => g.rows)) {
    for (const cell of row.cells) {
      const version = m.clients.find((c) => c.name === cell.client)?.version;
      out.set(cellKey(row.fixture.id, cell.client), { verdict: cell.verdict, summary: cell.summary, ...(version ? { version } : {}) });
    }
  }
  return out;
}

export function compareRuns(older: RunResults, newer: RunResults): CaseDiff[] {
  return compareCells(cells(older), cells(newer));
}

/**
 * The one classification of a cell's move, on cells already reduced to verdict and summary (from
 * a run's raw results, or from a run's stored verdict index: harness/report/changes.ts).
 */
export function compareCells(a: Map<string, DiffSide>, b: Map<string, DiffSide>): CaseDiff[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((key) => {
    const [caseId, client] = key.split('\u0000') as [string, string];
    const x = a.get(key);
    const y = b.get(key);
    const severity = (s: DiffSide) => SEVERITY[s.verdict as CellVerdict] ?? 0;
    let transition: Transition;
    if (!x) transition = 'added';
    else if (!y) transition = 'removed';
    else if (severity(y) > severity(x)) transition = 'regressed';
    else if (severity(y) < severity(x)) transition = 'improved';
    else if (y.verdict !== x.verdict || y.summary !== x.summary) transition = 'changed';
    else transition = 'unchanged';
    return { caseId, client, transition, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}) };
  });
}

export function compareText(diffs: CaseDiff[], older: RunResults, newer: RunResults): string {
  const lines = [`compare ${older.run.id} → ${newer.run.id}`];
  const counts = Object.fromEntries(
    (['regressed', 'improved', 'changed', 'added', 'removed', 'unchanged'] as Transition[]).map((t) => [
      t,
      diffs.filter((d) => d.transition === t).length,
    ]),
  );
  lines.push(
    Object.entries(counts)
      .map(([t, n]) => `${n} ${t}`)
      .join(', '),
  );
  for (const d of diffs.filter((x) => x.transition !== 'unchanged')) {
    lines.push(`${d.transition.toUpperCase().padEnd(9)} ${d.caseId} [${d.client}]`);
    if (d.before) lines.push(`    before (${d.before.version ?? '?'}): ${d.before.verdict} — ${d.before.summary}`);
    if (d.after) lines.push(`    after  (${d.after.version ?? '?'}): ${d.after.verdict} — ${d.after.summary}`);
  }
  return lines.join('\n');
}
