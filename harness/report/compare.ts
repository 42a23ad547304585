/**
 * Run-to-run comparison: per case × client, how the verdict and the observed facts moved between
 * two raw results files. Each run is read with its own stored fixtures, so a fixture edited in
 * between shows up as a change of outcome, not as a crash.
 */
import { buildMatrix, type Cell } from './view-model';
import type { RunResults } from '../runs/results';
import { SEVERITY } from '../vocabulary/verdicts';

export type Transition = 'regressed' | 'improved' | 'changed' | 'added' | 'removed' | 'unchanged';

export interface CaseDiff {
  caseId: string;
  client: string;
  transition: Transition;
  before?: { verdict: string; summary: string; version?: string };
  after?: { verdict: string; summary: string; version?: string };
}

function cells(run: RunResults): Map<string, { cell: Cell; version?: string }> {
  const m = buildMatrix(run);
  const out = new Map<string, { cell: Cell; version?: string }>();
  for (const row of m.groups.flatMap((g) => g.rows)) {
    for (const cell of row.cells) {
      const version = m.clients.find((c) => c.name === cell.client)?.version;
      out.set(`${row.fixture.id}\u0000${cell.client}`, { cell, ...(version ? { version } : {}) });
    }
  }
  return out;
}

export function compareRuns(older: RunResults, newer: RunResults): CaseDiff[] {
  const a = cells(older);
  const b = cells(newer);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.map((key) => {
    const [caseId, client] = key.split('\u0000') as [string, string];
    const x = a.get(key);
    const y = b.get(key);
    const side = (s: { cell: Cell; version?: string } | undefined) =>
      s && { verdict: s.cell.verdict, summary: s.cell.summary, ...(s.version ? { version: s.version } : {}) };
    let transition: Transition;
    if (!x) transition = 'added';
    else if (!y) transition = 'removed';
    else if (SEVERITY[y.cell.verdict] > SEVERITY[x.cell.verdict]) transition = 'regressed';
    else if (SEVERITY[y.cell.verdict] < SEVERITY[x.cell.verdict]) transition = 'improved';
    else if (y.cell.verdict !== x.cell.verdict || y.cell.summary !== x.cell.summary) transition = 'changed';
    else transition = 'unchanged';
    return { caseId, client, transition, ...(x ? { before: side(x) } : {}), ...(y ? { after: side(y) } : {}) };
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
