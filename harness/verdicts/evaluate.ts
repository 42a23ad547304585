/**
 * Verdicts and the 2015 comparison, computed from facts at render time (never stored by hand).
 */
import { type Fixture, intermittentFacts } from '../cases/schema';
import { requirement } from '../vocabulary/requirements';
import { worst, type Verdict } from '../vocabulary/verdicts';
import { LINEAGES_2015, type Browser2015 } from '../vocabulary/history-2015';
import type { FactName, Facts, FactValue } from '../vocabulary/facts';

export type FactMatch = Partial<Record<FactName, FactValue | FactValue[]>>;

export function matches(when: FactMatch, facts: Facts): boolean {
  return Object.entries(when).every(([name, want]) => {
    const have: FactValue | undefined = facts[name as FactName];
    if (have === undefined) return false;
    return Array.isArray(want) ? want.some((w) => String(w) === String(have)) : String(want) === String(have);
  });
}

export interface CheckResult {
  requirement: string;
  level: string;
  verdict: Verdict;
  means: string;
  /** Index of the matching outcome, or "otherwise". */
  matched: number | 'otherwise';
}

/** A case whose proxy script has working helpers beside the answer under test (the consequence matrix). */
const hasHelpers = (fixture: Partial<Pick<Fixture, 'proxy'>>) => !!fixture.proxy?.exchanges.some((e) => e.working);

export const NOT_EXERCISED =
  'not exercised: no request got the answer under test (answer-served 0: a helper or nothing answered every request), so a pass would rest on nothing';

export function evaluateChecks(fixture: Pick<Fixture, 'checks'> & Partial<Pick<Fixture, 'proxy'>>, facts: Facts): CheckResult[] {
  const unexercised = hasHelpers(fixture) && facts['answer-served'] === 0;
  return fixture.checks.map((c) => {
    const i = c.outcomes.findIndex((o) => matches(o.when, facts));
    const hit = i >= 0 ? c.outcomes[i]! : c.otherwise;
    // Only a pass needs the answer served: a fail was seen, and nothing else is a judgement.
    if (unexercised && hit.verdict === 'pass')
      return {
        requirement: c.requirement,
        level: requirement(c.requirement)?.level ?? '?',
        verdict: 'not measured',
        means: NOT_EXERCISED,
        matched: i >= 0 ? i : 'otherwise',
      };
    return {
      requirement: c.requirement,
      level: requirement(c.requirement)?.level ?? '?',
      verdict: hit.verdict,
      means: hit.means,
      matched: i >= 0 ? i : 'otherwise',
    };
  });
}

/**
 * Verdicts that cannot flip between runs of a client that truly varies: where the fixture declares
 * facts intermittent for this client (with its evidence, "why") and this run's value is one of
 * those declared, each check is judged over every declared value of the facts it reads and keeps
 * the worst. A client that sometimes breaks a MUST fails it in every run; the raw facts stay as
 * observed.
 */
export function evaluateChecksFor(
  fixture: Pick<Fixture, 'checks' | 'intermittent'> & Partial<Pick<Fixture, 'proxy'>>,
  client: string,
  facts: Facts,
): CheckResult[] {
  const declared = intermittentFacts(fixture, client);
  return evaluateChecks(fixture, facts).map((result, i) => {
    const check = fixture.checks[i]!;
    const read = new Set(check.outcomes.flatMap((o) => Object.keys(o.when)));
    const varying = (Object.entries(declared) as [FactName, FactValue[]][]).filter(
      ([fact, values]) => read.has(fact) && values.some((v) => String(v) === String(facts[fact])),
    );
    if (!varying.length) return result;
    let combos: Facts[] = [facts];
    for (const [fact, values] of varying) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [fact]: v }) as Facts));
    const all = combos.map((c) => evaluateChecks({ checks: [check], ...(fixture.proxy ? { proxy: fixture.proxy } : {}) }, c)[0]!);
    const worstVerdict = worst(all.map((r) => r.verdict));
    if (worstVerdict === result.verdict) return result;
    const hit = all.find((r) => r.verdict === worstVerdict)!;
    return {
      ...hit,
      means: `${hit.means} — in some runs (${varying.map(([f]) => f).join(', ')} vary for this client, see the fixture's "why"); this run: ${result.means}`,
    };
  });
}

/** The cell's verdict: the worst of its checks. */
export function worstVerdict(results: CheckResult[]): Verdict {
  return worst(results.map((r) => r.verdict));
}

export interface HistoryComparison {
  browser2015: Browser2015;
  cite: string;
  observed: string;
  status: 'same' | 'changed' | 'not comparable';
  /** Per fact: 2015 value vs now. */
  diffs: { fact: FactName; was: string; now: string }[];
  reason?: string;
}

/** Compares a modern client's facts with the 2015 row of its lineage (Chromium ↔ Chrome, Firefox ↔ Firefox). */
export function compareWith2015(fixture: Pick<Fixture, 'history2015'>, clientName: string, facts: Facts): HistoryComparison | undefined {
  const entry = (Object.entries(LINEAGES_2015) as [Browser2015, (typeof LINEAGES_2015)[Browser2015]][]).find(
    ([, l]) => l.modern === clientName,
  );
  if (!entry) return undefined;
  const [browser2015] = entry;
  const h = fixture.history2015?.[browser2015];
  if (!h) return undefined;
  const names = Object.keys(h.facts) as FactName[];
  if (names.length === 0)
    return {
      browser2015,
      cite: h.cite,
      observed: h.observed,
      status: 'not comparable',
      diffs: [],
      ...(h.comparable ? { reason: h.comparable } : {}),
    };
  const diffs = names
    .filter((f) => !matches({ [f]: h.facts[f] } as FactMatch, facts))
    .map((f) => ({
      fact: f,
      was: Array.isArray(h.facts[f]) ? (h.facts[f] as FactValue[]).join(' or ') : String(h.facts[f]),
      now: facts[f] === undefined ? '(not observed)' : String(facts[f]),
    }));
  return { browser2015, cite: h.cite, observed: h.observed, status: diffs.length ? 'changed' : 'same', diffs };
}
