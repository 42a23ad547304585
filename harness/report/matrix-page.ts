/**
 * The matrix: cases × clients, then the 2015 columns, with totals and filters.
 *
 * The filters are built so that no choice empties the view: one "columns" control picks a
 * transport's browsers, a transport's clients or a single client (each option has columns), and
 * the group and "show" options that would match no row are disabled for the current columns. The
 * state lives in the URL's hash (#cols=…&group=…&show=…&q=…), so a view can be linked and survives
 * a reload; a plain hash (#case-id) still scrolls to a case.
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { cls, controlLine, dependencyLine, expectationLine, factsList, historyLine, topNav, verdictBadge } from './components';
import { VERDICT_ORDER, type Cell, type CellVerdict, type Matrix, type Row } from './view-model';
import type { RunResults } from '../runs/results';
import { findingsSummary, type Severity } from './findings';
import { LINEAGES_2015, type Browser2015 } from '../vocabulary/history-2015';
import type { LoadedFixture } from '../cases/load';
import { TRANSPORT_NAMES, TRANSPORTS } from '../vocabulary/transports';
import { isBrowserEngine } from '../vocabulary/engines';
import type { FactName } from '../vocabulary/facts';

const BROWSERS_2015 = Object.keys(LINEAGES_2015) as Browser2015[];

export interface MatrixColumn {
  name: string;
  label: string;
  transport: string;
  browser: boolean;
}

/** Every client column with its transport and whether it is a browser engine. */
export function matrixColumns(m: Matrix): MatrixColumn[] {
  return m.clients.map((c) => ({ name: c.name, label: c.label, transport: c.transport, browser: isBrowserEngine(c.kind) }));
}

/**
 * The column views, each with at least one column: per transport its browsers and all its clients,
 * then each client alone. Values are what the URL carries.
 */
export function columnViews(columns: MatrixColumn[]): { value: string; label: string }[] {
  const views: { value: string; label: string }[] = [];
  for (const t of TRANSPORT_NAMES) {
    const here = columns.filter((c) => c.transport === t);
    if (!here.length) continue;
    const label = TRANSPORTS[t].label;
    if (here.some((c) => c.browser)) views.push({ value: `browsers:${t}`, label: `browsers — ${label}` });
    if (here.some((c) => !c.browser)) views.push({ value: `all:${t}`, label: `all clients — ${label}` });
  }
  for (const c of columns) views.push({ value: `client:${c.name}`, label: c.label });
  return views;
}

/** What the "show" control offers besides a single verdict. */
const SHOW_CHOICES: [string, string][] = [
  ['', 'every case'],
  ['bad', 'failures (fail, non-strict, harness error)'],
  ['differ', 'where the browsers differ'],
  ['changed', 'changed since 2015'],
  ['mismatch', 'differs from expectations'],
];

const LEGEND: [CellVerdict, string][] = [
  ['pass', 'requirement met'],
  ['fail', 'a MUST broken'],
  ['non-strict', 'a SHOULD broken'],
  ['informational', 'observed, not judged'],
  ['not measured', 'neither the consequence nor its absence was seen (no outcome, an error page, the answer never served)'],
  ['dependency failed', 'a case this one depends on failed'],
  ['blind', "the case's positive control did not show the consequence in this client: nothing it saw is a verdict"],
  ['unsupported', 'cannot run here: the client cannot do what the case needs'],
  ['not applicable', 'the case does not run over this transport'],
  ['harness error', 'the suite failed, not the client'],
  ['not available', 'client not installed'],
];

/**
 * Filters act on data attributes the renderer computed; the script never reads report text. Rows
 * carry their group, transports, searchable text and, per transport, whether the browsers differ;
 * cells carry client, transport, verdict and flags.
 */
export const FILTER_SCRIPT = `(() => {
  const $ = (s) => document.querySelector(s);
  const rows = [...document.querySelectorAll('tr.case-row')].map((r) => ({ r, cells: [...r.querySelectorAll('td.cell')] }));
  const groups = [...document.querySelectorAll('tr.group')];
  const heads = [...document.querySelectorAll('thead th[data-client]')];
  const ctl = { cols: $('#f-cols'), group: $('#f-group'), show: $('#f-show'), q: $('#f-q') };
  const bad = new Set(['fail', 'non-strict', 'harness error']);
  function columns(view) {
    const [kind, v] = [view.slice(0, view.indexOf(':')), view.slice(view.indexOf(':') + 1)];
    const pick = heads.filter((h) => !h.dataset.h2015 && (kind === 'client' ? h.dataset.client === v : h.dataset.transport === v && (kind === 'all' || h.dataset.browser === '1')));
    const transport = pick.length ? pick[0].dataset.transport : 'h1';
    // The 2015 columns sit beside today's browsers over a plain HTTP proxy, the only form 2015 knew.
    const history = transport === 'h1' && (kind === 'browsers' || (kind === 'client' && pick[0]?.dataset.browser === '1'));
    return { clients: new Set(pick.map((h) => h.dataset.client)), transport, history };
  }
  function matches(row, view, group, show, q) {
    const d = row.r.dataset;
    if (!d.transports.split(' ').includes(view.transport)) return false;
    if (group && d.group !== group) return false;
    if (q && !d.text.includes(q)) return false;
    if (!show) return true;
    if (show === 'differ') return d.differ.split(' ').includes(view.transport);
    const mine = row.cells.filter((c) => view.clients.has(c.dataset.client));
    if (show === 'bad') return mine.some((c) => bad.has(c.dataset.verdict));
    if (show === 'changed') return mine.some((c) => c.dataset.hist === 'changed');
    if (show === 'mismatch') return mine.some((c) => c.dataset.exp === 'differs');
    if (show.startsWith('v:')) return mine.some((c) => c.dataset.verdict === show.slice(2));
    return true;
  }
  const count = (view, group, show, q) => rows.filter((row) => matches(row, view, group, show, q)).length;
  function readHash() {
    const h = location.hash.slice(1);
    if (!h.includes('=')) return;
    const p = new URLSearchParams(h);
    for (const k of ['cols', 'group', 'show', 'q']) ctl[k].value = p.get(k) ?? '';
    if (!ctl.cols.value) ctl.cols.selectedIndex = 0;
  }
  function writeHash() {
    const p = new URLSearchParams();
    for (const k of ['cols', 'group', 'show', 'q']) if (ctl[k].value) p.set(k, ctl[k].value);
    const next = '#' + p.toString();
    if (location.hash !== next) history.replaceState(null, '', next);
  }
  function apply(source) {
    const q = ctl.q.value.trim().toLowerCase();
    // A search only narrows: it never drops a chosen group or show filter (the count says why
    // nothing shows, and clearing the search brings the rows back); a choice of columns, group or
    // show that would leave nothing drops the choice it makes impossible, as before.
    const keep = source === 'q' || source === 'hash';
    // One search over every case: where the columns on screen have no case matching it (an h2
    // case from the default HTTP/1.1 view), the first view that has one is opened.
    if (q && count(columns(ctl.cols.value), ctl.group.value, ctl.show.value, q) === 0) {
      const other = [...ctl.cols.options].find((o) => count(columns(o.value), ctl.group.value, ctl.show.value, q) > 0)
        ?? [...ctl.cols.options].find((o) => count(columns(o.value), '', '', q) > 0);
      if (other) ctl.cols.value = other.value;
    }
    const view = columns(ctl.cols.value);
    // A choice that would show no case is disabled, but a chosen one is kept (filters combine; the
    // count says why nothing shows), never silently dropped.
    for (const o of ctl.group.options) o.disabled = o.value !== '' && !(keep && o.value === ctl.group.value) && count(view, o.value, '', q) === 0;
    if (ctl.group.selectedOptions[0]?.disabled) ctl.group.value = '';
    const group = ctl.group.value;
    for (const o of ctl.show.options) {
      const n = o.value === '' ? null : count(view, group, o.value, q);
      o.disabled = n === 0 && !(keep && o.value === ctl.show.value);
      o.textContent = o.dataset.label + (n === null ? '' : ' (' + n + ')');
    }
    if (ctl.show.selectedOptions[0]?.disabled) ctl.show.value = '';
    const show = ctl.show.value;
    let shown = 0;
    for (const row of rows) {
      const on = matches(row, view, group, show, q);
      row.r.hidden = !on;
      if (on) shown++;
      for (const c of row.cells) c.hidden = !view.clients.has(c.dataset.client);
      for (const c of row.r.querySelectorAll('td.h2015')) c.hidden = !view.history;
    }
    for (const h of heads) h.hidden = h.dataset.h2015 ? !view.history : !view.clients.has(h.dataset.client);
    for (const g of groups) {
      let n = g.nextElementSibling, any = false;
      while (n && !n.classList.contains('group')) { if (!n.hidden) any = true; n = n.nextElementSibling; }
      g.hidden = !any;
    }
    $('#f-count').textContent = shown + ' of ' + rows.length + ' cases, ' + view.clients.size + ' client column' + (view.clients.size === 1 ? '' : 's');
    $('#f-none').hidden = shown !== 0;
    writeHash();
  }
  for (const el of Object.values(ctl)) el.addEventListener(el === ctl.q ? 'input' : 'change', () => apply(el === ctl.q ? 'q' : 'menu'));
  $('#f-reset').addEventListener('click', (e) => { e.preventDefault(); ctl.cols.selectedIndex = 0; ctl.group.value = ''; ctl.show.value = ''; ctl.q.value = ''; apply(); });
  // A link into a filtered view (the Totals, another page) lands on the matrix, not above it.
  window.addEventListener('hashchange', () => { if (location.hash.includes('=')) { readHash(); apply('hash'); $('#filters')?.scrollIntoView(); } });
  readHash();
  apply('hash');
  if (location.hash.includes('=')) $('#filters')?.scrollIntoView();
})();`;

/** The facts that decided the cell's verdict: those its worst checks' matching outcomes name. */
export function decidingFacts(fixture: LoadedFixture, cell: Cell, max = 2): FactName[] {
  const verdict = cell.ownVerdict ?? cell.verdict;
  const named = (cell.checks ?? [])
    .filter((c) => c.verdict === verdict)
    .flatMap((c) => {
      const check = fixture.checks.find((k) => k.requirement === c.requirement);
      if (!check) return [];
      const outcomes = c.matched === 'otherwise' ? check.outcomes : [check.outcomes[c.matched]!];
      return outcomes.flatMap((o) => Object.keys(o.when) as FactName[]);
    });
  const picked = [...new Set([...named, ...fixture.observe])];
  return picked.slice(0, max);
}

function matrixCell(row: Row, cell: Cell, caseHref: string, col: MatrixColumn): VNode {
  const attrs = { 'data-client': cell.client, 'data-transport': col.transport };
  if (cell.verdict === 'not applicable')
    return html`<td class="cell cell-not-applicable na" ...${attrs} data-verdict=${cell.verdict} title=${cell.summary}>n/a</td>`;
  const exp = cell.expectation?.status === 'mismatch' ? 'differs' : (cell.expectation?.status ?? 'none');
  const key = cell.facts ? decidingFacts(row.fixture, cell) : [];
  return html`<td class=${`cell cell-${cls(cell.verdict)}`} data-case=${row.fixture.id} ...${attrs} data-verdict=${cell.verdict}
      data-severity=${cell.severity ?? 'none'} data-hist=${cell.history?.status ?? 'none'} data-exp=${exp}>
    <a class="chip" href=${`${caseHref}#${cell.client}`} title="the evidence: wire log, facts, screenshot">${verdictBadge(cell.verdict)}</a>${cell.severity ? html` <span class=${`sev sev-${cls(cell.severity)}`}>${cell.severity}</span>` : null}
    ${key.map((f) => html`<div class="key"><b>${f}</b>: ${String(cell.facts?.[f] ?? '(not observed)')}</div>`)}
    ${cell.facts ? null : html`<div class="note">${cell.summary.slice(0, 160)}</div>`}
    ${cell.severity || cell.verdict === 'blind' ? controlLine(cell, caseHref.replace(/[^/]*$/, '')) : null}
    ${expectationLine(cell)}
    ${
      cell.facts || cell.failedDependencies || cell.uncontrolled
        ? html`<details><summary>more</summary>
      ${cell.uncontrolled ? html`<div class="note">blind here: ${cell.uncontrolled.why} (own verdict: ${cell.ownVerdict})</div>` : null}
      ${cell.facts ? factsList(row.fixture, cell) : null}
      ${dependencyLine(cell, caseHref.replace(/[^/]*$/, ''))} ${historyLine(cell)}
    </details>`
        : null
    }
  </td>`;
}

function history2015Cell(fixture: LoadedFixture, b: Browser2015): VNode {
  const h = fixture.history2015?.[b];
  if (!h) return html`<td class="h2015 nc" data-h2015=${b}>—</td>`;
  return html`<td class="h2015" data-h2015=${b}><b>${h.cite}</b> ${h.observed}</td>`;
}

/** The transports over which the browser columns observe different facts or verdicts. */
function differsOver(row: Row, columns: MatrixColumn[]): string {
  const out: string[] = [];
  for (const t of TRANSPORT_NAMES) {
    const cells = row.cells.filter((c, i) => c.facts && columns[i]!.transport === t && columns[i]!.browser);
    if (cells.length > 1 && cells.some((c) => c.verdict !== cells[0]!.verdict || c.summary !== cells[0]!.summary)) out.push(t);
  }
  return out.join(' ');
}

/** A link to the matrix filtered to one client's cells of one verdict (the totals' numbers). */
export function matrixHref(prefix: string, state: { cols?: string; show?: string; group?: string }): string {
  const p = new URLSearchParams(Object.entries(state).filter(([, v]) => v) as [string, string][]);
  return `${prefix}index.html#${p.toString()}`;
}

function totalsTable(m: Matrix, prefix: string): VNode {
  // Verdicts no client got are left out, so the table fits a narrow screen.
  const verdicts = VERDICT_ORDER.filter((v) => m.clients.some((c) => (m.totals[c.name]?.[v] ?? 0) > 0));
  return html`<table class="totals"><tr><th>client</th>${verdicts.map((v) => html`<th>${verdictBadge(v)}</th>`)}</tr>
    ${m.clients.map(
      (
        c,
      ) => html`<tr><td><a href=${matrixHref(prefix, { cols: `client:${c.name}` })}>${c.label}</a> <span class="mono">${c.version ?? ''}</span>${c.available ? '' : html` <span class="note">(not available: ${c.note ?? ''})</span>`}</td>
        ${verdicts.map((v) => {
          const n = m.totals[c.name]?.[v] ?? 0;
          return html`<td>${n ? html`<a href=${matrixHref(prefix, { cols: `client:${c.name}`, show: `v:${v}` })}>${n}</a>` : html`<span class="nc">0</span>`}</td>`;
        })}</tr>`,
    )}
  </table>`;
}

function filtersForm(m: Matrix, columns: MatrixColumn[]): VNode {
  return html`<form id="filters">
      <label>columns <select id="f-cols">${columnViews(columns).map((v) => html`<option value=${v.value}>${v.label}</option>`)}</select></label>
      <label>group <select id="f-group"><option value="">all groups</option>${m.groups.map((g) => html`<option value=${g.group}>${g.group}</option>`)}</select></label>
      <label>show <select id="f-show">${[...SHOW_CHOICES, ...VERDICT_ORDER.map((v): [string, string] => [`v:${v}`, `verdict ${v}`])].map(([v, l]) => html`<option value=${v} data-label=${l}>${l}</option>`)}</select></label>
      <label>text <input id="f-q" type="search" placeholder="case id, title, requirement" size="22" /></label>
      <a href="#" id="f-reset">reset</a>
      <span id="f-count" class="note"></span>
    </form>
    <p id="f-none" class="callout" hidden>No case matches these filters (the counts beside each choice say which narrow it): <a href="#cols=">show every case</a>.</p>`;
}

function matrixBody(run: RunResults, m: Matrix, prefix: string, extra: VNode[]): VNode {
  const columns = matrixColumns(m);
  return html`<main>
    <h1>connect-conformance: how browsers treat a proxy's answer to CONNECT</h1>
    ${topNav(prefix, m.rawResults)}
    ${findingsCallout(m, prefix)}
    <p class="meta">Run ${run.run.id} (${run.run.startedAt}) on ${run.run.host.os} ${run.run.host.arch}, Node ${run.run.host.node}, Playwright ${run.run.playwright}${run.run.commit ? `, commit ${run.run.commit}` : ''}.</p>
    ${extra}
    <p class="legend">Verdicts: ${LEGEND.map(([v, means]) => html`<span>${verdictBadge(v)} ${means}</span>`)}</p>
    <h2>Totals</h2>
    <p class="note">Each number opens the matrix filtered to that client and verdict.</p>
    ${totalsTable(m, prefix)}
    <h2>Cases</h2>
    ${filtersForm(m, columns)}
    <table class="matrix">
      <thead><tr><th class="case">case</th>${columns.map((c, i) => html`<th data-client=${c.name} data-transport=${c.transport} data-browser=${c.browser ? '1' : '0'}>${c.label}<br /><span class="mono">${m.clients[i]!.version ?? 'not available'}</span></th>`)}
        ${BROWSERS_2015.map((b) => html`<th class="h2015" data-client=${`2015-${b}`} data-h2015=${b}>${LINEAGES_2015[b].label}${LINEAGES_2015[b].modern ? '' : ' (history only)'}</th>`)}</tr></thead>
      ${m.groups.map((g) => [
        html`<tr class="group"><th colspan=${1 + m.clients.length + BROWSERS_2015.length}>${g.group}</th></tr>`,
        ...g.rows.map((row) => {
          const href = `${prefix}cases/${row.fixture.id}.html`;
          const text = [row.fixture.id, row.fixture.title, ...row.fixture.requirements].join(' ').toLowerCase();
          return html`<tr id=${row.fixture.id} class="case-row" data-group=${g.group} data-differ=${differsOver(row, columns)} data-text=${text} data-transports=${(row.fixture.transports ?? ['h1']).join(' ')}>
            <td class="case"><a href=${href}><b>${row.fixture.id}</b></a><div class="note">${row.fixture.title}</div><div class="note">${row.fixture.requirements.join(', ')}</div></td>
            ${row.cells.map((cell, i) => matrixCell(row, cell, href, columns[i]!))}
            ${BROWSERS_2015.map((b) => history2015Cell(row.fixture, b))}
          </tr>`;
        }),
      ])}
    </table>
  </main>`;
}

function findingsCallout(m: Matrix, prefix: string): VNode {
  const { total, bySeverity } = findingsSummary(m);
  const count = (s: Severity) => bySeverity[s].findings;
  return html`<p class="callout"><a href=${`${prefix}findings.html`}><b>Findings: ${total.findings} in ${total.cases} cases</b></a> — ${count('security')} security, ${count('MUST')} MUST, ${count('SHOULD')} SHOULD, ${count('informational')} informational (changes since 2015, differences between engines), each in one sentence with its evidence; <a href=${`${prefix}findings.html#clients`}>per client</a>.</p>`;
}

/** `extra`: sections placed above the totals (what changed since the last run, what JUnit means). */
export function matrixPage(run: RunResults, m: Matrix, prefix: string, extra: VNode[] = []): string {
  return page('connect-conformance report', matrixBody(run, m, prefix, extra), { script: FILTER_SCRIPT });
}
