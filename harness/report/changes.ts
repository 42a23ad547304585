/**
 * What changed since the last run, and each case's verdicts across the stored runs.
 *
 * Every run folder gets a compact verdict index beside its raw results (verdicts.json: the run, its
 * commit and client versions, and per case × client the verdict and the facts the fixture observes),
 * so that the history on a case page does not re-read every stored run's raw results (tens of MB
 * each). An older run without one gets it computed once from its results and written. The
 * comparison itself is compare.ts's: cells reduced to verdict and summary, one classification.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { VNode } from 'preact';
import { html } from './html';
import { verdictBadge } from './components';
import { cellKey, compareCells, type CaseDiff, type DiffSide, type Transition } from './compare';
import { buildMatrix, type Matrix } from './view-model';
import { readResults, resolveResultsPath, resultsFileIn, RESULTS_FILES, type RunResults } from '../runs/results';
import type { CellVerdict } from '../vocabulary/verdicts';
import type { FactValue } from '../vocabulary/facts';

export const VERDICTS_FORMAT = 'connect-conformance/verdicts@1';
export const VERDICTS_FILE = 'verdicts.json';
/** How many stored runs (this one included) a case page's history shows at most. */
export const HISTORY_RUNS = 10;
/** Rows of the changes table on the index at most (regressions first); the rest: npm run compare. */
const MAX_CHANGE_ROWS = 150;

/** One case × client in a verdict index. */
export interface IndexedCell {
  verdict: CellVerdict;
  /** The facts the fixture observes, in its order (null: not observed); absent when the case was not observed. */
  facts?: Record<string, FactValue | null>;
  /** Why there are no facts (skip detail, harness error), shortened. */
  note?: string;
}

/** A run reduced to its verdicts: what history and run-to-run changes read. */
export interface VerdictIndex {
  format: typeof VERDICTS_FORMAT;
  run: { id: string; startedAt: string; commit?: string; shard?: { current: number; total: number } };
  clients: Record<string, { label: string; version?: string }>;
  /** case id → client → cell; cells that did not run (verdict "not available") are left out. */
  cases: Record<string, Record<string, IndexedCell>>;
}

/** A stored run in a case page's history (newest first). */
export interface HistoryRun {
  index: VerdictIndex;
  /** The run's folder name under runs/ (its case pages are ../../<folder>/cases/ from a case page). */
  folder: string;
  /** Whether the folder has rendered case pages to link to. */
  pages: boolean;
  current?: boolean;
}

/** What this run was compared with. */
export interface Against {
  kind: 'previous run' | 'run' | 'snapshot' | 'results file';
  /** The results file, relative to the working directory. */
  path: string;
  run: VerdictIndex['run'];
  clients: VerdictIndex['clients'];
}

/** A cell that moved, with the facts that moved ("fact: before → after"). */
export interface ChangedCell extends CaseDiff {
  what: string[];
}

export interface Changes {
  diffs: ChangedCell[];
  /** Absent when there is no earlier run to compare with. */
  against?: Against;
  /** Earlier runs passed over (unreadable results), in words. */
  notes: string[];
}

/** A results file that sits in a run folder (where its verdict index may be written). */
function inRunFolder(resultsPath: string): boolean {
  return (RESULTS_FILES as readonly string[]).includes(basename(resultsPath));
}

/**
 * The stored runs older than the run in runDir (by folder name, which is the run id), newest first:
 * folders beside it under a runs/ folder that have raw results. Shards are left out: each holds
 * part of a run, and the merged run that covers them is the one to compare with.
 */
export function olderRuns(runDir: string): { folder: string; dir: string; results: string }[] {
  const runsDir = dirname(resolve(runDir));
  if (basename(runsDir) !== 'runs' || !existsSync(runsDir)) return [];
  const self = basename(resolve(runDir));
  return readdirSync(runsDir)
    .filter((f) => f < self && !f.includes('_shard-'))
    .sort()
    .reverse()
    .flatMap((folder) => {
      const dir = join(runsDir, folder);
      const results = resultsFileIn(dir);
      return results ? [{ folder, dir, results }] : [];
    });
}

/**
 * The history snapshots of the reports folder a run belongs to (<reports>/history/*.json, the
 * deliberate records `npm run snapshot` commits), newest first by name (they start with the date).
 * A fresh clone has no earlier run but has these: its first report compares with the newest.
 */
export function historySnapshots(runDir: string): string[] {
  const runsDir = dirname(resolve(runDir));
  if (basename(runsDir) !== 'runs') return [];
  const history = join(dirname(runsDir), 'history');
  if (!existsSync(history)) return [];
  return readdirSync(history)
    .filter((f) => /\.json(\.gz)?$/.test(f))
    .sort()
    .reverse()
    .map((f) => join(history, f));
}

/** The results file of the newest stored run older than the one in runDir, if any. */
export function previousRun(runDir: string): string | undefined {
  return olderRuns(runDir)[0]?.results;
}

/** A run's verdict index from its matrix (the one the report renders). */
export function verdictIndex(run: RunResults, m: Matrix): VerdictIndex {
  const cases: VerdictIndex['cases'] = {};
  for (const row of m.groups.flatMap((g) => g.rows)) {
    const byClient: Record<string, IndexedCell> = {};
    for (const cell of row.cells) {
      // Not run here (a client not installed, or a run of other clients or cases): no verdict to keep.
      if (cell.verdict === 'not available') continue;
      const facts = cell.facts;
      byClient[cell.client] = facts
        ? {
            verdict: cell.verdict,
            facts: Object.fromEntries(row.fixture.observe.map((f) => [f, (facts[f] as FactValue | undefined) ?? null])),
          }
        : { verdict: cell.verdict, note: cell.summary.length > 300 ? `${cell.summary.slice(0, 299)}…` : cell.summary };
    }
    if (Object.keys(byClient).length) cases[row.fixture.id] = byClient;
  }
  return {
    format: VERDICTS_FORMAT,
    run: {
      id: run.run.id,
      startedAt: run.run.startedAt,
      ...(run.run.commit ? { commit: run.run.commit } : {}),
      ...(run.run.shard ? { shard: run.run.shard } : {}),
    },
    clients: Object.fromEntries(m.clients.map((c) => [c.name, { label: c.label, ...(c.version ? { version: c.version } : {}) }])),
    cases,
  };
}

/** Writes a run's verdict index beside its results. */
export function writeVerdictIndex(runDir: string, index: VerdictIndex): string {
  const path = join(runDir, VERDICTS_FILE);
  writeFileSync(path, JSON.stringify(index));
  return path;
}

/** A verdict index computed from a results file (verdicts do not depend on expectations: none are read). */
function indexFromResults(resultsPath: string): VerdictIndex {
  const run = readResults(resultsPath);
  return verdictIndex(
    run,
    buildMatrix(run, () => undefined),
  );
}

/**
 * The verdict index of a stored results file: a run folder's verdicts.json when it is current
 * (same format, not older than the results), else computed from the results, and written beside
 * them when they are in a run folder. Throws when the results cannot be read.
 */
export function loadVerdictIndex(resultsPath: string): VerdictIndex {
  // A snapshot outside a run folder has no index file: computed once per process (changes and history both read it).
  const key = `${resolve(resultsPath)}\u0000${statSync(resultsPath).mtimeMs}`;
  const known = computed.get(key);
  if (known) return known;
  const index = readOrComputeIndex(resultsPath);
  computed.set(key, index);
  return index;
}

const computed = new Map<string, VerdictIndex>();

function readOrComputeIndex(resultsPath: string): VerdictIndex {
  const cached = join(dirname(resultsPath), VERDICTS_FILE);
  if (inRunFolder(resultsPath) && existsSync(cached) && statSync(cached).mtimeMs >= statSync(resultsPath).mtimeMs) {
    try {
      const index = JSON.parse(readFileSync(cached, 'utf8')) as VerdictIndex;
      if (index.format === VERDICTS_FORMAT) return index;
    } catch {
      // computed again below
    }
  }
  const index = indexFromResults(resultsPath);
  if (inRunFolder(resultsPath)) {
    try {
      writeVerdictIndex(dirname(resultsPath), index);
    } catch {
      // a read-only folder: the index is used, not kept
    }
  }
  return index;
}

/** The one-line summary compare.ts compares: the cell's facts as "name: value; …", or why it has none. */
function summaryOf(cell: IndexedCell): string {
  if (!cell.facts) return cell.note ?? '';
  return Object.entries(cell.facts)
    .map(([f, v]) => `${f}: ${v ?? '(not observed)'}`)
    .join('; ');
}

function sides(index: VerdictIndex): Map<string, DiffSide> {
  const out = new Map<string, DiffSide>();
  for (const [caseId, byClient] of Object.entries(index.cases)) {
    for (const [client, cell] of Object.entries(byClient)) {
      const version = index.clients[client]?.version;
      out.set(cellKey(caseId, client), { verdict: cell.verdict, summary: summaryOf(cell), ...(version ? { version } : {}) });
    }
  }
  return out;
}

const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The facts that moved between two cells, as "fact: before → after". */
function whatChanged(before: IndexedCell | undefined, after: IndexedCell | undefined): string[] {
  if (!before || !after) return [];
  if (before.facts && after.facts) {
    const names = [...new Set([...Object.keys(before.facts), ...Object.keys(after.facts)])];
    const shown = (v: FactValue | null | undefined) => (v === null || v === undefined ? '(not observed)' : String(v));
    return names
      .filter((f) => shown(before.facts![f]) !== shown(after.facts![f]))
      .map((f) => `${f}: ${short(shown(before.facts![f]), 80)} → ${short(shown(after.facts![f]), 80)}`);
  }
  const a = summaryOf(before);
  const b = summaryOf(after);
  return a === b ? [] : [`${short(a) || before.verdict} → ${short(b) || after.verdict}`];
}

/** Per case × client, how this run moved from an earlier one (compare.ts's classification). */
export function compareIndexes(older: VerdictIndex, newer: VerdictIndex): ChangedCell[] {
  return compareCells(sides(older), sides(newer)).map((d) => ({
    ...d,
    what: whatChanged(older.cases[d.caseId]?.[d.client], newer.cases[d.caseId]?.[d.client]),
  }));
}

/** A path as the page names it: relative to the working directory when inside it, else absolute. */
function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(path);
}

/** How a results file given with --against is named on the page. */
function againstKind(resultsPath: string): Against['kind'] {
  if (inRunFolder(resultsPath)) return 'run';
  return basename(dirname(resultsPath)) === 'history' ? 'snapshot' : 'results file';
}

/**
 * This run against an explicit results file, run folder or history snapshot (`against`), or by
 * default against the newest readable stored run older than runDir. An explicit path that cannot
 * be read throws; an unreadable earlier run is passed over with a note.
 */
export function computeChanges(runDir: string, current: VerdictIndex, against?: string): Changes {
  const notes: string[] = [];
  const make = (resultsPath: string, index: VerdictIndex, kind: Against['kind']): Changes => ({
    diffs: compareIndexes(index, current),
    against: { kind, path: shownPath(resultsPath), run: index.run, clients: index.clients },
    notes,
  });
  if (against) {
    if (!existsSync(against)) throw new Error(`--against ${against}: no such file or folder`);
    const resultsPath = resolveResultsPath(against);
    return make(resultsPath, loadVerdictIndex(resultsPath), againstKind(resultsPath));
  }
  for (const earlier of olderRuns(runDir)) {
    try {
      return make(earlier.results, loadVerdictIndex(earlier.results), 'previous run');
    } catch (e) {
      notes.push(`run ${earlier.folder} passed over: ${short((e as Error).message, 200)}`);
    }
  }
  // No earlier run (a fresh clone): the newest committed history snapshot, read through the converters.
  for (const snapshot of historySnapshots(runDir)) {
    try {
      return make(snapshot, loadVerdictIndex(snapshot), 'snapshot');
    } catch (e) {
      notes.push(`snapshot ${basename(snapshot)} passed over: ${short((e as Error).message, 200)}`);
    }
  }
  return { diffs: [], notes };
}

/**
 * The stored runs a case page's history shows, newest first: this run, then up to HISTORY_RUNS − 1
 * older readable runs beside it (their verdict indexes, computed once where missing).
 */
export function runHistory(runDir: string, current: VerdictIndex, limit = HISTORY_RUNS): { runs: HistoryRun[]; notes: string[] } {
  const runs: HistoryRun[] = [{ index: current, folder: basename(resolve(runDir)), pages: true, current: true }];
  const notes: string[] = [];
  for (const earlier of olderRuns(runDir)) {
    if (runs.length >= limit) break;
    try {
      runs.push({ index: loadVerdictIndex(earlier.results), folder: earlier.folder, pages: existsSync(join(earlier.dir, 'cases')) });
    } catch (e) {
      notes.push(`run ${earlier.folder} passed over: ${short((e as Error).message, 200)}`);
    }
  }
  // Then the committed history snapshots (no case pages of their own to link to).
  for (const snapshot of historySnapshots(runDir)) {
    if (runs.length >= limit) break;
    try {
      runs.push({ index: loadVerdictIndex(snapshot), folder: basename(snapshot), pages: false });
    } catch (e) {
      notes.push(`snapshot ${basename(snapshot)} passed over: ${short((e as Error).message, 200)}`);
    }
  }
  return { runs, notes };
}

const TRANSITIONS: Transition[] = ['regressed', 'improved', 'changed', 'added', 'removed', 'unchanged'];
const SHOWN: Transition[] = ['regressed', 'improved', 'changed'];

/** "chromium 156 → 157, firefox 153" from the versions on both sides of the cells both runs have. */
function versionsLine(diffs: CaseDiff[]): string {
  const per = new Map<string, { before?: string; after?: string }>();
  for (const d of diffs.filter((x) => x.before && x.after)) {
    const v = per.get(d.client) ?? {};
    if (d.before?.version) v.before = d.before.version;
    if (d.after?.version) v.after = d.after.version;
    per.set(d.client, v);
  }
  return [...per]
    .filter(([, v]) => v.before || v.after)
    .map(([c, v]) => (v.before === v.after ? `${c} ${v.after}` : `${c} ${v.before ?? '—'} → ${v.after ?? '—'}`))
    .join(', ');
}

/**
 * The index's "Changed since the last run": counts per transition, then the regressed, improved and
 * changed cells with links to their evidence (`prefix` leads to the run folder), and what the run
 * was compared with; says so when there is no earlier run.
 */
export function changesSection(diffs: ChangedCell[], prefix: string, against: Against | undefined, notes: string[] = []): VNode {
  const noteList = notes.length ? html`<ul class="note">${notes.map((n) => html`<li>${n}</li>`)}</ul>` : null;
  if (!against)
    return html`<section id="changes" style="overflow-wrap: anywhere">
      <h2>Changed since the last run</h2>
      <p>No earlier run to compare with: no older run with results in the runs folder, and no <code>--against</code> given.</p>
      ${noteList}
    </section>`;
  const count = (t: Transition) => diffs.filter((d) => d.transition === t).length;
  const shown = SHOWN.flatMap((t) => diffs.filter((d) => d.transition === t));
  const versions = versionsLine(diffs);
  const onlyHere = count('added');
  const onlyThere = count('removed');
  return html`<section id="changes" style="overflow-wrap: anywhere">
    <h2>Changed since the last run</h2>
    <p class="meta">Compared with ${against.kind} <b class="mono">${against.run.id}</b> (<span class="mono">${against.path}</span>), started ${against.run.startedAt}${against.run.commit ? `, commit ${against.run.commit}` : ''}${versions ? `; versions ${versions}` : ''}.</p>
    <p>${TRANSITIONS.map((t) => html`<span class=${`t-${t}`}>${count(t)} ${t}</span> `)}</p>
    ${
      onlyHere || onlyThere
        ? html`<p class="note">${onlyHere} case × client cells are only in this run and ${onlyThere} only in ${against.run.id} (not run in the other: a run of other clients or cases, a client not installed, a fixture added or removed); they are counted, not listed.</p>`
        : null
    }
    ${noteList}
    ${
      shown.length === 0
        ? html`<p>${count('unchanged') ? 'No case changed its verdict or observed facts.' : `The two runs have no case × client cell in common.`}</p>`
        : html`<table class="changes">
      <tr><th>transition</th><th>case</th><th>client</th><th>before → after</th><th>what changed</th></tr>
      ${shown.slice(0, MAX_CHANGE_ROWS).map(
        (d) => html`<tr>
        <td class=${`t-${d.transition}`}>${d.transition}</td>
        <td><a class="mono" href=${`${prefix}cases/${d.caseId}.html#${d.client}`}>${d.caseId}</a></td>
        <td class="mono">${d.client}</td>
        <td>${d.before ? verdictBadge(d.before.verdict) : '—'} → ${d.after ? verdictBadge(d.after.verdict) : '—'}</td>
        <td class="note">${d.what.length ? d.what.map((w) => html`<div>${w}</div>`) : 'the same facts (a verdict rule, a control or a dependency moved it)'}</td>
      </tr>`,
      )}
    </table>
    ${shown.length > MAX_CHANGE_ROWS ? html`<p class="note">${shown.length - MAX_CHANGE_ROWS} more: <code>${`npm run compare -- ${against.path} <this run's results>`}</code></p>` : null}`
    }
  </section>`;
}

/**
 * A case page's history: one row per stored run that has the case (newest first), one column per
 * client, each cell the verdict; "facts changed" marks a cell whose facts moved since the run below.
 */
export function caseHistorySection(caseId: string, history: HistoryRun[]): VNode {
  const runs = history.filter((h) => h.index.cases[caseId]).slice(0, HISTORY_RUNS);
  const clients = [...new Set(runs.flatMap((h) => Object.keys(h.index.cases[caseId]!)))];
  const missing = history.length - runs.length;
  const cellOf = (h: HistoryRun, client: string) => h.index.cases[caseId]?.[client];
  const older = (i: number, client: string) =>
    runs
      .slice(i + 1)
      .map((h) => cellOf(h, client))
      .find((c) => c);
  return html`<section id="history">
    <h2>Verdicts across stored runs</h2>
    ${
      runs.length <= 1
        ? html`<p class="note">No earlier stored run has this case${missing ? ` (${missing} stored run(s) ran other cases or clients)` : ''}.</p>`
        : missing
          ? html`<p class="note">${missing} stored run(s) without this case are left out.</p>`
          : null
    }
    <div class="hscroll"><table class="history">
      <tr><th>run</th>${clients.map((c) => html`<th class="mono">${c}</th>`)}</tr>
      ${runs.map((h, i) => {
        const cells = h.index.cases[caseId]!;
        return html`<tr>
          <td>${h.current ? html`<b class="mono">${h.index.run.id}</b> (this run)` : h.pages ? html`<a class="mono" href=${`../../${h.folder}/cases/${caseId}.html`}>${h.index.run.id}</a>` : html`<span class="mono">${h.index.run.id}</span>`}${h.index.run.commit ? html`<div class="note">commit ${h.index.run.commit}</div>` : null}</td>
          ${clients.map((c) => {
            const cell = cells[c];
            if (!cell) return html`<td>—</td>`;
            const was = older(i, c);
            const moved = was ? whatChanged(was, cell) : [];
            const version = h.index.clients[c]?.version;
            return html`<td title=${`${version ? `${c} ${version}: ` : ''}${short(summaryOf(cell), 300)}`}>${verdictBadge(cell.verdict)}${moved.length && was?.verdict === cell.verdict ? html` <span class="note" title=${moved.join('\n')}>facts changed</span>` : null}</td>`;
          })}
        </tr>`;
      })}
    </table></div>
  </section>`;
}
