/**
 * From raw results to what the report shows: facts, verdicts, 2015 comparisons per cell. The only
 * place the report's numbers come from, so the HTML, the console summary and the tests agree.
 */
import type { LoadedFixture } from '../cases/load';
import { computeFacts } from '../observe/facts';
import type { Facts } from '../observe/fact-names';
import { compareWith2015, evaluateChecks, worstVerdict, type CheckResult, type HistoryComparison } from '../verdicts/evaluate';
import type { Verdict } from '../cases/requirements';
import type { CaseResult, RunResults } from './results';

export type CellVerdict = Verdict | 'unsupported' | 'not applicable' | 'harness error' | 'not available';

export interface Cell {
  client: string;
  result?: CaseResult;
  verdict: CellVerdict;
  facts?: Facts;
  checks?: CheckResult[];
  history?: HistoryComparison;
  /** One line: the facts the fixture observes, as "name: value". */
  summary: string;
}

export interface Row {
  fixture: LoadedFixture;
  cells: Cell[];
}

export interface Matrix {
  clients: { name: string; label: string; version?: string; available: boolean; note?: string }[];
  groups: { group: string; rows: Row[] }[];
  totals: Record<string, Record<CellVerdict, number>>;
}

/** Families in the order a reader meets them: the request, then answers from best to worst. */
export const GROUP_ORDER = ['request form', '2xx', 'early data', '1xx', 'non-2xx', '407', 'transport faults', 'http/2', 'websocket'] as const;

export const VERDICT_ORDER: CellVerdict[] = ['pass', 'fail', 'non-strict', 'informational', 'unsupported', 'not applicable', 'harness error', 'not available'];

export function buildCell(fixture: LoadedFixture, client: string, result: CaseResult | undefined): Cell {
  if (result?.status === 'skipped' && result.harnessError?.startsWith('not applicable')) return { client, result, verdict: 'not applicable', summary: result.harnessError };
  if (result?.status === 'skipped' && result.harnessError?.startsWith('unsupported')) return { client, result, verdict: 'unsupported', summary: result.harnessError };
  if (!result || result.status === 'skipped') return { client, verdict: 'not available', summary: result?.harnessError ?? 'not run' };
  if (result.status === 'harness-error' || !result.record) return { client, result, verdict: 'harness error', summary: result.harnessError ?? 'harness error' };
  const facts = computeFacts(result.record);
  const checks = evaluateChecks(fixture, facts);
  const history = compareWith2015(fixture, client, facts);
  const summary = fixture.observe.map((f) => `${f}: ${facts[f] ?? '(not observed)'}`).join('; ');
  return { client, result, verdict: worstVerdict(checks), facts, checks, ...(history ? { history } : {}), summary };
}

export function buildMatrix(run: RunResults): Matrix {
  const clients = Object.entries(run.clients).map(([name, c]) => ({ name, label: c.label, available: c.available, ...(c.version ? { version: c.version } : {}), ...(c.note ? { note: c.note } : {}) }));
  const byKey = new Map(run.results.map((r) => [`${r.caseId}\u0000${r.client}`, r]));
  const totals: Matrix['totals'] = {};
  for (const c of clients) totals[c.name] = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0])) as Record<CellVerdict, number>;
  const groups = new Map<string, Row[]>();
  for (const fixture of run.fixtures) {
    const cells = clients.map((c) => buildCell(fixture, c.name, byKey.get(`${fixture.id}\u0000${c.name}`)));
    cells.forEach((cell) => totals[cell.client]![cell.verdict]++);
    const rows = groups.get(fixture.group) ?? [];
    rows.push({ fixture, cells });
    groups.set(fixture.group, rows);
  }
  const order = GROUP_ORDER as readonly string[];
  const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length);
  return { clients, groups: [...groups].sort(([a], [b]) => rank(a) - rank(b)).map(([group, rows]) => ({ group, rows })), totals };
}
