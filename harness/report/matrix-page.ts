/** The matrix: cases × clients, then the 2015 columns, with totals and filters. */
import type { VNode } from 'preact';
import { html, page } from './html';
import { cls, expectationLine, factsList, historyLine, topNav, verdictBadge } from './components';
import { VERDICT_ORDER, type Cell, type Matrix, type Row } from './view-model';
import type { RunResults } from './results';
import { LINEAGES_2015, type Browser2015 } from '../cases/history-2015';
import type { LoadedFixture } from '../cases/load';

const BROWSERS_2015 = Object.keys(LINEAGES_2015) as Browser2015[];
const BAD = new Set(['fail', 'non-strict', 'harness error']);

/** Filters act on data attributes the renderer computed; the script never reads report text. */
export const FILTER_SCRIPT = `(() => {
  const $ = (s) => document.querySelector(s);
  const rows = [...document.querySelectorAll('tr.case-row')];
  const groups = [...document.querySelectorAll('tr.group')];
  const has = (list, client) => list.split(' ').filter(Boolean).some((c) => !client || c === client);
  function apply() {
    const differ = $('#f-differ').checked, changed = $('#f-changed').checked, bad = $('#f-bad').checked, client = $('#f-client').value;
    let shown = 0;
    for (const r of rows) {
      const show = (!differ || r.dataset.differ === '1') && (!changed || has(r.dataset.changed, client)) && (!bad || has(r.dataset.bad, client));
      r.hidden = !show;
      if (show) shown++;
    }
    for (const g of groups) {
      let n = g.nextElementSibling, any = false;
      while (n && !n.classList.contains('group')) { if (!n.hidden) any = true; n = n.nextElementSibling; }
      g.hidden = !any;
    }
    document.querySelectorAll('[data-client]').forEach((el) => { el.hidden = client !== '' && el.dataset.client !== client; });
    $('#f-count').textContent = shown + ' of ' + rows.length + ' cases shown';
  }
  document.querySelectorAll('#filters input, #filters select').forEach((el) => el.addEventListener('change', apply));
  apply();
})();`;

function matrixCell(row: Row, cell: Cell, caseHref: string): VNode {
  if (cell.verdict === 'not applicable') return html`<td class="cell cell-not-applicable na" data-client=${cell.client} title=${cell.summary}>n/a</td>`;
  return html`<td class=${`cell cell-${cls(cell.verdict)}`} data-client=${cell.client}>
    ${verdictBadge(cell.verdict)} <a href=${`${caseHref}#${cell.client}`}>evidence</a>
    ${cell.facts ? factsList(row.fixture, cell) : html`<div class="note">${cell.summary.slice(0, 300)}</div>`}
    ${historyLine(cell)} ${expectationLine(cell)}
  </td>`;
}

function history2015Cell(fixture: LoadedFixture, b: Browser2015): VNode {
  const h = fixture.history2015?.[b];
  if (!h) return html`<td class="h2015 nc">—</td>`;
  return html`<td class="h2015"><b>${h.cite}</b> ${h.observed}</td>`;
}

function rowFlags(row: Row) {
  const observed = row.cells.filter((c) => c.facts);
  const differ = observed.length > 1 && observed.some((c) => c.verdict !== observed[0]!.verdict || c.summary !== observed[0]!.summary);
  return {
    differ: differ ? '1' : '0',
    changed: row.cells.filter((c) => c.history?.status === 'changed').map((c) => c.client).join(' '),
    bad: row.cells.filter((c) => BAD.has(c.verdict)).map((c) => c.client).join(' '),
  };
}

function matrixBody(run: RunResults, m: Matrix, prefix: string): VNode {
  return html`<main>
    <h1>connect-conformance: how browsers treat a proxy's answer to CONNECT</h1>
    ${topNav(prefix)}
    <p class="meta">Run ${run.run.id} (${run.run.startedAt}) on ${run.run.host.os} ${run.run.host.arch}, Node ${run.run.host.node}, Playwright ${run.run.playwright}${run.run.commit ? `, commit ${run.run.commit}` : ''}.</p>
    <p class="legend">Verdicts: <span>${verdictBadge('pass')} requirement met</span><span>${verdictBadge('fail')} a MUST broken</span><span>${verdictBadge('non-strict')} a SHOULD broken</span><span>${verdictBadge('informational')} observed, not judged</span><span>${verdictBadge('unsupported')} the client cannot do what the case needs</span><span>${verdictBadge('harness error')} the suite failed, not the browser</span><span>${verdictBadge('not available')} client not installed</span></p>
    <h2>Totals</h2>
    <table class="totals"><tr><th>client</th>${VERDICT_ORDER.map((v) => html`<th>${verdictBadge(v)}</th>`)}</tr>
      ${m.clients.map((c) => html`<tr><td>${c.label} ${c.version ?? ''}${c.available ? '' : ` (not available: ${c.note ?? ''})`}</td>${VERDICT_ORDER.map((v) => html`<td>${m.totals[c.name]?.[v] ?? 0}</td>`)}</tr>`)}
    </table>
    <h2>Cases</h2>
    <form id="filters">
      <label><input type="checkbox" id="f-differ" /> only where browsers differ</label>
      <label><input type="checkbox" id="f-changed" /> only changed since 2015</label>
      <label><input type="checkbox" id="f-bad" /> only failures (fail, non-strict, harness error)</label>
      <label>browser <select id="f-client"><option value="">all</option>${m.clients.map((c) => html`<option value=${c.name}>${c.label}</option>`)}</select></label>
      <span id="f-count" class="note"></span>
    </form>
    <table class="matrix">
      <tr><th>case</th>${m.clients.map((c) => html`<th data-client=${c.name}>${c.label}<br /><span class="mono">${c.version ?? 'not available'}</span></th>`)}
        ${BROWSERS_2015.map((b) => html`<th>${LINEAGES_2015[b].label}${LINEAGES_2015[b].modern ? '' : ' (history only)'}</th>`)}</tr>
      ${m.groups.map((g) => [
        html`<tr class="group"><th colspan=${1 + m.clients.length + BROWSERS_2015.length}>${g.group}</th></tr>`,
        ...g.rows.map((row) => {
          const href = `${prefix}cases/${row.fixture.id}.html`;
          const flags = rowFlags(row);
          return html`<tr id=${row.fixture.id} class="case-row" data-differ=${flags.differ} data-changed=${flags.changed} data-bad=${flags.bad}>
            <td class="case"><a href=${href}><b>${row.fixture.id}</b></a><br />${row.fixture.title}<div class="note">${row.fixture.requirements.join(', ')}</div></td>
            ${row.cells.map((cell) => matrixCell(row, cell, href))}
            ${BROWSERS_2015.map((b) => history2015Cell(row.fixture, b))}
          </tr>`;
        }),
      ])}
    </table>
  </main>`;
}

export function matrixPage(run: RunResults, m: Matrix, prefix: string): string {
  return page('connect-conformance report', matrixBody(run, m, prefix), { script: FILTER_SCRIPT });
}
