/**
 * Flip detection over a run that repeated every case (npm run flake): which case × client pairs
 * saw more than one outcome, and whether each variation is one the fixture already declares
 * ("intermittent") or a new one that needs looking at.
 */
import type { RunResults } from './results';
import { intermittentFacts } from '../cases/schema';
import type { FactName, FactValue } from '../vocabulary/facts';
import { computeFacts } from '../observe/facts';
import { pinnedFacts } from '../verdicts/expectations';
import { evaluateChecksFor, worstVerdict } from '../verdicts/evaluate';
import type { Verdict } from '../vocabulary/verdicts';

export interface Flip {
  caseId: string;
  client: string;
  /** Each distinct outcome (the fixture's pinned facts) with how often it was seen. */
  outcomes: { facts: Partial<Record<FactName, FactValue>>; count: number }[];
  /** The facts whose value differed between runs, each with the values seen. */
  varying: { fact: FactName; values: FactValue[]; declared: boolean }[];
  /** Every varying fact and value is within the fixture's "intermittent" list for this client. */
  declared: boolean;
}

/** A case × client whose verdict differed between runs: what a reader of the report would see change. */
export interface VerdictFlip {
  caseId: string;
  client: string;
  verdicts: { verdict: Verdict; count: number }[];
}

export interface FlakeAnalysis {
  pairs: number;
  /** How many times each pair ran (an attempt that ended in a harness error counts). */
  runsPerPair: { min: number; max: number };
  harnessErrors: { caseId: string; client: string; message: string }[];
  flips: Flip[];
  verdictFlips: VerdictFlip[];
}

/** `marks`: the fixtures whose "intermittent" lists count (today's files, or the run's own copy). */
export function analyseFlakes(run: RunResults, marks: RunResults['fixtures'] = run.fixtures): FlakeAnalysis {
  const groups = new Map<
    string,
    {
      caseId: string;
      client: string;
      seen: Map<string, { facts: Partial<Record<FactName, FactValue>>; count: number }>;
      verdicts: Map<Verdict, number>;
    }
  >();
  const harnessErrors: FlakeAnalysis['harnessErrors'] = [];
  const attempts = new Map<string, number>();
  for (const r of run.results) {
    if (r.status === 'skipped') continue;
    attempts.set(`${r.caseId}\u0000${r.client}`, (attempts.get(`${r.caseId}\u0000${r.client}`) ?? 0) + 1);
    if (r.status === 'harness-error') harnessErrors.push({ caseId: r.caseId, client: r.client, message: r.harnessError ?? '' });
    if (!r.record) continue;
    const fixture = run.fixtures.find((f) => f.id === r.caseId);
    if (!fixture) continue;
    const key = `${r.caseId}\u0000${r.client}`;
    const group = groups.get(key) ?? { caseId: r.caseId, client: r.client, seen: new Map(), verdicts: new Map() };
    const all = computeFacts(r.record);
    const facts = pinnedFacts(fixture, all);
    // The verdict as the report shows it: the run's checks, with today's intermittent declarations.
    const mark = marks.find((f) => f.id === r.caseId);
    const verdict = worstVerdict(
      evaluateChecksFor({ checks: fixture.checks, proxy: fixture.proxy, intermittent: mark?.intermittent }, r.client, all),
    );
    group.verdicts.set(verdict, (group.verdicts.get(verdict) ?? 0) + 1);
    const id = JSON.stringify(facts);
    const entry = group.seen.get(id) ?? { facts, count: 0 };
    entry.count++;
    group.seen.set(id, entry);
    groups.set(key, group);
  }
  // Runs per pair count every attempt that ran (a harness error too), not only observed ones.
  const counts = [...attempts.values()];
  const flips: Flip[] = [];
  const verdictFlips: VerdictFlip[] = [];
  for (const g of groups.values()) {
    if (g.verdicts.size > 1)
      verdictFlips.push({ caseId: g.caseId, client: g.client, verdicts: [...g.verdicts].map(([verdict, count]) => ({ verdict, count })) });
    if (g.seen.size < 2) continue;
    const outcomes = [...g.seen.values()];
    const marked = intermittentFacts(marks.find((f) => f.id === g.caseId) ?? {}, g.client);
    const facts = Object.keys(outcomes[0]!.facts) as FactName[];
    const varying = facts.flatMap((fact) => {
      const values = [...new Set(outcomes.map((o) => o.facts[fact]!))];
      if (values.length < 2) return [];
      const allowed = marked[fact] as FactValue[] | undefined;
      return [{ fact, values, declared: !!allowed && values.every((v) => allowed.includes(v)) }];
    });
    flips.push({ caseId: g.caseId, client: g.client, outcomes, varying, declared: varying.every((v) => v.declared) });
  }
  return { pairs: attempts.size, runsPerPair: { min: Math.min(...counts), max: Math.max(...counts) }, harnessErrors, flips, verdictFlips };
}
