/**
 * From raw results to what the report shows: facts, verdicts, dependencies and 2015 comparisons
 * per cell. The only place the report's numbers come from, so the HTML, the JUnit file, the
 * console summary and the tests agree.
 */
import type { LoadedFixture } from '../cases/load';
import { GROUPS } from '../cases/schema';
import { computeFacts } from '../observe/facts';
import type { FactName, Facts, FactValue } from '../vocabulary/facts';
import { parseProjectName, TRANSPORTS, type Transport } from '../vocabulary/transports';
import { CELL_ORDER, type CellVerdict } from '../vocabulary/verdicts';
import {
  compareWith2015,
  evaluateChecksFor,
  matches,
  worstVerdict,
  type CheckResult,
  type FactMatch,
  type HistoryComparison,
} from '../verdicts/evaluate';
import { uncontrolledBecause } from '../verdicts/controls';
import { cellSeverity, type Severity } from '../verdicts/severity';
import { failedDependencies } from '../verdicts/dependencies';
import { checkExpectations, committedExpectations, type ExpectationSource, type ExpectationStatus } from '../verdicts/expectations';
import type { CaseResult, RunResults } from '../runs/results';

export type { CellVerdict } from '../vocabulary/verdicts';
export const VERDICT_ORDER = CELL_ORDER;

export interface Cell {
  client: string;
  result?: CaseResult;
  verdict: CellVerdict;
  facts?: Facts;
  checks?: CheckResult[];
  /** The cell's own verdict when a dependency failed (the evidence still stands). */
  ownVerdict?: CellVerdict;
  failedDependencies?: { caseId: string; verdict: CellVerdict }[];
  /** The positive control that did not show its consequence for this client: the cell is unsupported, not pass. */
  uncontrolled?: { caseId: string; why: string };
  /**
   * The positive control's own result for this client, on every cell of a controlled case: why to
   * believe the cell (or not), shown beside it rather than only linked.
   */
  control?: { caseId: string; shows: boolean; seen: string; verdict: CellVerdict };
  /** The gravest finding of the cell's checks (the one definition: verdicts/severity.ts). */
  severity?: Severity;
  history?: HistoryComparison;
  /** How the observation compares with the expectations (judged when the report is built). */
  expectation?: ExpectationStatus;
  /** The committed expectation of this client for this case (pinned facts), shown beside what was observed. */
  expected?: Partial<Record<FactName, FactValue | FactValue[]>>;
  /** One line: the facts the fixture observes, as "name: value". */
  summary: string;
}

export interface Row {
  fixture: LoadedFixture;
  cells: Cell[];
}

export interface MatrixClient {
  name: string;
  label: string;
  version?: string;
  available: boolean;
  note?: string;
  /**
   * The client kind (chromium, curl…) and the proxy transport of the project, as the run recorded
   * them, else from the project name (older runs): decided here once, read by every page.
   */
  kind: string;
  transport: Transport;
  /** How the suite drove it: launch options, flags, prefs or the command (per run: its ports change). */
  launchConfig?: Record<string, unknown>;
}

export interface Matrix {
  /** Where and with what the run was made: for the reproduce box of each case page. */
  meta: { runId: string; os: string; arch: string; node: string; playwright: string; commit?: string };
  clients: MatrixClient[];
  groups: { group: string; rows: Row[] }[];
  totals: Record<string, Record<CellVerdict, number>>;
  /** The run's raw results file name, for the pages' "raw results" link (writeReport sets it; default results.json.gz). */
  rawResults?: string;
}

/** A cell on its own, before dependencies are looked at. */
export function buildCell(
  fixture: LoadedFixture,
  client: string,
  result: CaseResult | undefined,
  expectations: ExpectationSource = committedExpectations(),
): Cell {
  if (!result) return { client, verdict: 'not available', summary: 'not run' };
  if (result.status === 'skipped')
    return { client, result, verdict: result.skip?.reason ?? 'not available', summary: result.skip?.detail ?? 'skipped' };
  if (result.status === 'harness-error' || !result.record)
    return { client, result, verdict: 'harness error', summary: result.harnessError ?? 'harness error' };
  const facts = computeFacts(result.record);
  const checks = evaluateChecksFor(fixture, client, facts);
  const history = compareWith2015(fixture, client, facts);
  const summary = fixture.observe.map((f) => `${f}: ${facts[f] ?? '(not observed)'}`).join('; ');
  const severity = cellSeverity(checks);
  return {
    client,
    result,
    verdict: worstVerdict(checks),
    facts,
    checks,
    ...(severity ? { severity } : {}),
    ...(history ? { history } : {}),
    expectation: checkExpectations(fixture, facts, expectations(client)),
    ...(expectations(client)?.cases[fixture.id] ? { expected: expectations(client)!.cases[fixture.id]! } : {}),
    summary,
  };
}

/**
 * A pass means nothing unless the measurement could have seen the fail: where a case's positive
 * control (the origin itself causing the consequence) did not show it for a client, that case's
 * verdict there (a fail included: a finding needs a measurement shown to work) becomes unsupported.
 */
function applyControls(fixtures: LoadedFixture[], cells: Map<string, Cell>): void {
  const byId = new Map(fixtures.map((f) => [f.id, f]));
  for (const fixture of fixtures) {
    if (!fixture.control) continue;
    const control = byId.get(fixture.control);
    for (const [k, cell] of cells) {
      if (!k.startsWith(`${fixture.id}\u0000`) || !cell.facts) continue;
      const controlCell = cells.get(`${fixture.control}\u0000${cell.client}`);
      const shows = control?.controls?.shows ?? {};
      cell.control = {
        caseId: fixture.control,
        shows: !!controlCell?.facts && matches(shows as FactMatch, controlCell.facts),
        seen: controlCell?.facts
          ? Object.keys(shows)
              .map((f) => `${f}: ${String(controlCell.facts?.[f as FactName] ?? '(not observed)')}`)
              .join('; ')
          : (controlCell?.verdict ?? 'not run'),
        verdict: controlCell?.verdict ?? 'not available',
      };
      const why = uncontrolledBecause(fixture, cell.verdict, control, controlCell);
      if (!why) continue;
      cell.ownVerdict = cell.verdict;
      cell.verdict = 'blind';
      cell.uncontrolled = { caseId: fixture.control, why };
      // A blind cell is no finding on any page (findings, JUnit, summary read the severity).
      delete cell.severity;
    }
  }
}

/** Cells whose dependency failed for the same client say so (dependencies first, in any depth). */
function applyDependencies(fixtures: LoadedFixture[], cells: Map<string, Cell>): void {
  const key = (caseId: string, client: string) => `${caseId}\u0000${client}`;
  const byId = new Map(fixtures.map((f) => [f.id, f]));
  const done = new Set<string>();
  const visit = (caseId: string, client: string, seen: Set<string>): CellVerdict | undefined => {
    const cell = cells.get(key(caseId, client));
    const fixture = byId.get(caseId);
    if (!cell || !fixture) return undefined;
    if (done.has(key(caseId, client)) || seen.has(caseId) || !cell.facts) return cell.verdict;
    seen.add(caseId);
    const failed = failedDependencies(fixture.dependsOn, (dep) => visit(dep, client, seen));
    done.add(key(caseId, client));
    if (failed.length) {
      cell.ownVerdict = cell.verdict;
      cell.verdict = 'dependency failed';
      cell.failedDependencies = failed;
      // Reported through the dependency, not again: no severity of its own on any page (the
      // findings leave such a cell out), though its checks stay as evidence.
      delete cell.severity;
    }
    return cell.verdict;
  };
  for (const k of cells.keys()) {
    const [caseId, client] = k.split('\u0000') as [string, string];
    visit(caseId, client, new Set());
  }
}

export function buildMatrix(run: RunResults, expectations: ExpectationSource = committedExpectations()): Matrix {
  const clients = Object.entries(run.clients).map(([name, c]) => ({
    name,
    label: c.label,
    available: c.available,
    ...(c.version ? { version: c.version } : {}),
    ...(c.note ? { note: c.note } : {}),
    kind: c.kind ?? parseProjectName(name).client,
    transport: c.transport && c.transport in TRANSPORTS ? (c.transport as Transport) : parseProjectName(name).transport,
    ...(c.launchConfig ? { launchConfig: c.launchConfig } : {}),
  }));
  const byKey = new Map(run.results.map((r) => [`${r.caseId}\u0000${r.client}`, r]));
  const cells = new Map<string, Cell>();
  for (const fixture of run.fixtures)
    for (const c of clients)
      cells.set(`${fixture.id}\u0000${c.name}`, buildCell(fixture, c.name, byKey.get(`${fixture.id}\u0000${c.name}`), expectations));
  applyDependencies(run.fixtures, cells);
  applyControls(run.fixtures, cells);
  const totals: Matrix['totals'] = {};
  for (const c of clients) totals[c.name] = Object.fromEntries(CELL_ORDER.map((v) => [v, 0])) as Record<CellVerdict, number>;
  const groups = new Map<string, Row[]>();
  for (const fixture of run.fixtures) {
    const row = { fixture, cells: clients.map((c) => cells.get(`${fixture.id}\u0000${c.name}`)!) };
    for (const cell of row.cells) totals[cell.client]![cell.verdict]++;
    groups.set(fixture.group, [...(groups.get(fixture.group) ?? []), row]);
  }
  const order: readonly string[] = GROUPS;
  const rank = (g: string) => (order.includes(g) ? order.indexOf(g) : order.length);
  const { id: runId, host, playwright, commit } = run.run;
  const meta = { runId, os: host.os, arch: host.arch, node: host.node, playwright, ...(commit ? { commit } : {}) };
  return { meta, clients, groups: [...groups].sort(([a], [b]) => rank(a) - rank(b)).map(([group, rows]) => ({ group, rows })), totals };
}
