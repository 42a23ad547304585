/** The matrix: cases × clients, then the 2015 columns, with totals and filters. */
import type { VNode } from 'preact';
import { html, page } from './html';
import { cls, dependencyLine, expectationLine, factsList, historyLine, topNav, verdictBadge } from './components';
import { VERDICT_ORDER, type Cell, type CellVerdict, type Matrix, type Row } from './view-model';
import type { RunResults } from '../runs/results';
import { findings } from './findings';
import { LINEAGES_2015, type Browser2015 } from '../vocabulary/history-2015';
import type { LoadedFixture } from '../cases/load';
import { TRANSPORT_NAMES, TRANSPORTS } from '../vocabulary/transports';

const BROWSERS_2015 = Object.keys(LINEAGES_2015) as Browser2015[];
/** The proxy forms a reader can show one at a time, so the browser columns fit a 1400 px screen. */
const TRANSPORT_CHOICES: [string, string][] = [...TRANSPORT_NAMES.map((t): [string, string] => [t, TRANSPORTS[t].label]), ['', 'all']];

function transportOf(run: RunResults, client: string): string {
  return run.clients[client]?.transport ?? 'h1';
}

const BAD = new Set(['fail', 'non-strict', 'harness error']);

const LEGEND: [CellVerdict, string][] = [
  ['pass', 'requirement met'],
  ['fail', 'a MUST broken'],
  ['non-strict', 'a SHOULD broken'],
  ['informational', 'observed, not judged'],
  ['dependency failed', 'a case this one depends on failed'],
  ['unsupported', 'the client cannot do what the case needs'],
  ['not applicable', 'the case does not run over this transport'],
  ['harness error', 'the suite failed, not the client'],
  ['not available', 'client not installed'],
];

/** Filters act on data attributes the renderer computed; the script never reads report text. */
export const FILTER_SCRIPT = `(() => {
  const $ = (s) => document.querySelector(s);
  const rows = [...document.querySelectorAll('tr.case-row')];
  const groups = [...document.querySelectorAll('tr.group')];
  const has = (list, client) => list.split(' ').filter(Boolean).some((c) => !client || c === client);
  function apply() {
    const differ = $('#f-differ').checked, changed = $('#f-changed').checked, bad = $('#f-bad').checked, client = $('#f-client').value;
    const transport = $('#f-transport').value;
    let shown = 0;
    for (const r of rows) {
      const show = (!differ || r.dataset.differ === '1') && (!changed || has(r.dataset.changed, client)) && (!bad || has(r.dataset.bad, client)) && (!transport || has(r.dataset.transports, transport));
      r.hidden = !show;
      if (show) shown++;
    }
    for (const g of groups) {
      let n = g.nextElementSibling, any = false;
      while (n && !n.classList.contains('group')) { if (!n.hidden) any = true; n = n.nextElementSibling; }
      g.hidden = !any;
    }
    document.querySelectorAll('[data-client]').forEach((el) => { el.hidden = (client !== '' && el.dataset.client !== client) || (transport !== '' && el.dataset.transport !== transport); });
    $('#f-count').textContent = shown + ' of ' + rows.length + ' cases shown';
  }
  document.querySelectorAll('#filters input, #filters select').forEach((el) => el.addEventListener('change', apply));
  apply();
})();`;

function matrixCell(row: Row, cell: Cell, caseHref: string, transport: string): VNode {
  if (cell.verdict === 'not applicable')
    return html`<td class="cell cell-not-applicable na" data-client=${cell.client} data-transport=${transport} title=${cell.summary}>n/a</td>`;
  return html`<td class=${`cell cell-${cls(cell.verdict)}`} data-case=${row.fixture.id} data-client=${cell.client} data-transport=${transport} data-severity=${cell.severity ?? 'none'}>
    ${verdictBadge(cell.verdict)}${cell.severity ? html` <span class=${`sev sev-${cls(cell.severity)}`}>${cell.severity}</span>` : null} <a href=${`${caseHref}#${cell.client}`}>evidence</a>
    ${cell.uncontrolled ? html`<div class="note">unsupported: ${cell.uncontrolled.why} (own verdict: ${cell.ownVerdict})</div>` : null}
    ${cell.facts ? factsList(row.fixture, cell) : html`<div class="note">${cell.summary.slice(0, 300)}</div>`}
    ${dependencyLine(cell, caseHref.replace(/[^/]*$/, ''))} ${historyLine(cell)} ${expectationLine(cell)}
  </td>`;
}

function history2015Cell(fixture: LoadedFixture, b: Browser2015): VNode {
  const h = fixture.history2015?.[b];
  if (!h) return html`<td class="h2015 nc" data-client=${`2015-${b}`} data-transport="h1">—</td>`;
  return html`<td class="h2015" data-client=${`2015-${b}`} data-transport="h1"><b>${h.cite}</b> ${h.observed}</td>`;
}

function rowFlags(row: Row) {
  const observed = row.cells.filter((c) => c.facts);
  const differ = observed.length > 1 && observed.some((c) => c.verdict !== observed[0]!.verdict || c.summary !== observed[0]!.summary);
  return {
    differ: differ ? '1' : '0',
    changed: row.cells
      .filter((c) => c.history?.status === 'changed')
      .map((c) => c.client)
      .join(' '),
    bad: row.cells
      .filter((c) => BAD.has(c.verdict))
      .map((c) => c.client)
      .join(' '),
  };
}

function matrixBody(run: RunResults, m: Matrix, prefix: string): VNode {
  return html`<main>
    <h1>connect-conformance: how browsers treat a proxy's answer to CONNECT</h1>
    ${topNav(prefix)}
    ${findingsCallout(m, prefix)}
    <p class="meta">Run ${run.run.id} (${run.run.startedAt}) on ${run.run.host.os} ${run.run.host.arch}, Node ${run.run.host.node}, Playwright ${run.run.playwright}${run.run.commit ? `, commit ${run.run.commit}` : ''}.</p>
    <p class="legend">Verdicts: ${LEGEND.map(([v, means]) => html`<span>${verdictBadge(v)} ${means}</span>`)}</p>
    <h2>Totals</h2>
    <table class="totals"><tr><th>client</th>${VERDICT_ORDER.map((v) => html`<th>${verdictBadge(v)}</th>`)}</tr>
      ${m.clients.map((c) => html`<tr><td>${c.label} ${c.version ?? ''}${c.available ? '' : ` (not available: ${c.note ?? ''})`}</td>${VERDICT_ORDER.map((v) => html`<td>${m.totals[c.name]?.[v] ?? 0}</td>`)}</tr>`)}
    </table>
    <h2>Cases</h2>
    <form id="filters">
      <label><input type="checkbox" id="f-differ" /> only where browsers differ</label>
      <label><input type="checkbox" id="f-changed" /> only changed since 2015</label>
      <label><input type="checkbox" id="f-bad" /> only failures (fail, non-strict, harness error)</label>
      <label>proxy <select id="f-transport">${TRANSPORT_CHOICES.map(([t, l]) => html`<option value=${t} selected=${t === 'h1'}>${l}</option>`)}</select></label>
      <label>client <select id="f-client"><option value="">all</option>${m.clients.map((c) => html`<option value=${c.name}>${c.label}</option>`)}</select></label>
      <span id="f-count" class="note"></span>
    </form>
    <table class="matrix">
      <thead><tr><th class="case">case</th>${m.clients.map((c) => html`<th data-client=${c.name} data-transport=${transportOf(run, c.name)}>${c.label}<br /><span class="mono">${c.version ?? 'not available'}</span></th>`)}
        ${BROWSERS_2015.map((b) => html`<th data-client=${`2015-${b}`} data-transport="h1">${LINEAGES_2015[b].label}${LINEAGES_2015[b].modern ? '' : ' (history only)'}</th>`)}</tr></thead>
      ${m.groups.map((g) => [
        html`<tr class="group"><th colspan=${1 + m.clients.length + BROWSERS_2015.length}>${g.group}</th></tr>`,
        ...g.rows.map((row) => {
          const href = `${prefix}cases/${row.fixture.id}.html`;
          const flags = rowFlags(row);
          return html`<tr id=${row.fixture.id} class="case-row" data-differ=${flags.differ} data-changed=${flags.changed} data-bad=${flags.bad} data-transports=${(row.fixture.transports ?? ['h1']).join(' ')}>
            <td class="case"><a href=${href}><b>${row.fixture.id}</b></a><br />${row.fixture.title}<div class="note">${row.fixture.requirements.join(', ')}</div></td>
            ${row.cells.map((cell) => matrixCell(row, cell, href, transportOf(run, cell.client)))}
            ${BROWSERS_2015.map((b) => history2015Cell(row.fixture, b))}
          </tr>`;
        }),
      ])}
    </table>
  </main>`;
}

function findingsCallout(m: Matrix, prefix: string): VNode {
  const all = findings(m);
  const count = (s: string) => all.filter((f) => f.severity === s).length;
  return html`<p class="callout"><a href=${`${prefix}findings.html`}><b>Findings: ${all.length}</b></a> — ${count('security')} security, ${count('MUST')} MUST, ${count('SHOULD')} SHOULD, ${count('informational')} informational (changes since 2015, differences between engines), each in one sentence with its evidence.</p>`;
}

export function matrixPage(run: RunResults, m: Matrix, prefix: string): string {
  return page('connect-conformance report', matrixBody(run, m, prefix), { script: FILTER_SCRIPT });
}
