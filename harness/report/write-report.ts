/**
 * Writes the HTML report for one run: reports/index.html (the matrix, for the latest run) and, in
 * the run's own folder, index.html plus one page per case with the evidence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { VNode } from 'preact';
import { html, page, CSS } from './html';
import { buildMatrix, VERDICT_ORDER, type Cell, type Matrix, type Row } from './view-model';
import type { RunResults } from './results';
import { LINEAGES_2015, OBSERVATIONS_2015, type Browser2015 } from '../cases/history-2015';
import { requirement, requirementLink } from '../cases/requirements';
import { FACTS, type FactName } from '../observe/fact-names';
import { escapeBytes, hexDump } from '../wire/bytes';
import type { ConnectionTrace } from '../proxy/trace';
import type { LoadedFixture } from '../cases/load';

const cls = (v: string) => v.replace(/\s+/g, '-');

function verdictBadge(v: string): VNode {
  return html`<span class=${`v v-${cls(v)}`}>${v}</span>`;
}

function historyLine(cell: Cell): VNode | null {
  const h = cell.history;
  if (!h) return null;
  if (h.status === 'same') return html`<div class="hist same">same as 2015 ${h.cite}</div>`;
  if (h.status === 'not comparable') return html`<div class="hist nc">2015 ${h.cite}: not comparable${h.reason ? ` (${h.reason})` : ''}</div>`;
  return html`<div class="hist changed">changed since 2015 ${h.cite}: ${h.diffs.map((d) => `${d.fact} was ${d.was}, now ${d.now}`).join('; ')}</div>`;
}

function expectationLine(cell: Cell): VNode | null {
  const e = cell.result?.expectation;
  if (!e || e.status === 'match') return null;
  if (e.status === 'missing') return html`<div class="exp-missing">no committed expectation</div>`;
  return html`<div class="exp-mismatch">differs from expectations: ${e.differences.map((d) => `${d.fact} expected ${String(d.expected)}`).join('; ')}</div>`;
}

function factsList(fixture: LoadedFixture, cell: Cell): VNode {
  return html`<ul class="facts">${fixture.observe.map((f) => html`<li><b>${f}</b>: ${String(cell.facts?.[f] ?? '(not observed)')}</li>`)}</ul>`;
}

function matrixCell(row: Row, cell: Cell, caseHref: string): VNode {
  return html`<td class=${`cell cell-${cls(cell.verdict)}`}>
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

function matrixPage(run: RunResults, m: Matrix, prefix: string): VNode {
  const browsers2015 = Object.keys(LINEAGES_2015) as Browser2015[];
  return html`<main>
    <h1>connect-conformance: how browsers treat a proxy's answer to CONNECT</h1>
    <p class="meta">Run ${run.run.id} (${run.run.startedAt}) on ${run.run.host.os} ${run.run.host.arch}, Node ${run.run.host.node}, Playwright ${run.run.playwright}${run.run.commit ? `, commit ${run.run.commit}` : ''}.
      Raw results: <a href=${`${prefix}results.json`}>results.json</a>.</p>
    <p class="legend">Verdicts: <span>${verdictBadge('pass')} requirement met</span><span>${verdictBadge('fail')} a MUST broken</span><span>${verdictBadge('non-strict')} a SHOULD broken</span><span>${verdictBadge('informational')} observed, not judged</span><span>${verdictBadge('harness error')} the suite failed, not the browser</span><span>${verdictBadge('not available')} client not installed</span></p>
    <h2>Totals</h2>
    <table class="totals"><tr><th>client</th>${VERDICT_ORDER.map((v) => html`<th>${verdictBadge(v)}</th>`)}</tr>
      ${m.clients.map((c) => html`<tr><td>${c.label} ${c.version ?? ''}${c.available ? '' : ` (not available: ${c.note ?? ''})`}</td>${VERDICT_ORDER.map((v) => html`<td>${m.totals[c.name]?.[v] ?? 0}</td>`)}</tr>`)}
    </table>
    <h2>Cases</h2>
    <table class="matrix">
      <tr><th>case</th>${m.clients.map((c) => html`<th>${c.label}<br /><span class="mono">${c.version ?? 'not available'}</span></th>`)}
        ${browsers2015.map((b) => html`<th>${LINEAGES_2015[b].label}${LINEAGES_2015[b].modern ? '' : ' (history only)'}</th>`)}</tr>
      ${m.groups.map((g) => [
        html`<tr class="group"><th colspan=${1 + m.clients.length + browsers2015.length}>${g.group}</th></tr>`,
        ...g.rows.map((row) => {
          const href = `${prefix}cases/${row.fixture.id}.html`;
          return html`<tr id=${row.fixture.id}>
            <td class="case"><a href=${href}><b>${row.fixture.id}</b></a><br />${row.fixture.title}<div class="note">${row.fixture.requirements.join(', ')}</div></td>
            ${row.cells.map((cell) => matrixCell(row, cell, href))}
            ${browsers2015.map((b) => history2015Cell(row.fixture, b))}
          </tr>`;
        }),
      ])}
    </table>
  </main>`;
}

function wireRows(c: ConnectionTrace): VNode[] {
  return c.events.map((e) => {
    const bytes = e.data ? Buffer.from(e.data, 'base64') : undefined;
    const dir = e.kind === 'c2p' ? 'browser → proxy' : e.kind === 'p2c' ? 'proxy → browser' : e.kind;
    return html`<tr class=${e.kind === 'c2p' || e.kind === 'p2c' ? e.kind : 'ev'}>
      <td class="mono">${e.t.toFixed(1)}</td><td>${dir}</td>
      <td class="bytes">${bytes ? html`<span>${bytes.length} bytes: ${escapeBytes(bytes, 600)}</span><details><summary>hex</summary><pre>${hexDump(bytes, 2048)}</pre></details>` : e.note ?? ''}</td>
    </tr>`;
  });
}

function evidence(fixture: LoadedFixture, cell: Cell, label: string, runPrefix: string): VNode {
  const rec = cell.result?.record;
  return html`<section id=${cell.client}>
    <h2>${label}: ${verdictBadge(cell.verdict)}</h2>
    ${!rec ? html`<pre>${cell.result?.harnessError ?? cell.summary}</pre>` : html`<div>
      <table>
        ${(cell.checks ?? []).map((c) => html`<tr><td>${verdictBadge(c.verdict)}</td><td><b>${c.requirement}</b> (${c.level})</td><td>${c.means}</td></tr>`)}
      </table>
      ${historyLine(cell)} ${expectationLine(cell)}
      <h3>Facts</h3>
      <table>${(Object.keys(cell.facts ?? {}) as FactName[]).map((f) => html`<tr><td><b>${f}</b>${fixture.observe.includes(f) ? ' ★' : ''}</td><td class="mono">${String(cell.facts?.[f])}</td><td class="note">${FACTS[f].means}</td></tr>`)}</table>
      <p class="note">★ = observed by this fixture (pinned in expectations).</p>
      <h3>Navigation</h3>
      <table>
        <tr><td>URL</td><td class="mono">${rec.navigation?.url ?? ''}</td></tr>
        <tr><td>outcome</td><td class="mono">${rec.navigation?.committed ? `committed, HTTP ${rec.navigation.status ?? '?'}` : `error ${rec.navigation?.error?.code ?? ''}`}</td></tr>
        <tr><td>raw error</td><td><pre>${rec.navigation?.error?.raw ?? ''}</pre></td></tr>
        <tr><td>final URL</td><td class="mono">${rec.navigation?.finalUrl ?? ''}</td></tr>
        <tr><td>title</td><td>${rec.navigation?.title ?? ''}</td></tr>
        <tr><td>page text</td><td><pre>${rec.navigation?.text ?? ''}</pre></td></tr>
        <tr><td>duration</td><td>${rec.navigation?.durationMs ?? ''} ms</td></tr>
        <tr><td>harness</td><td class="note">context closed at ${rec.harness.contextClosedAt} ms; ${rec.harness.notes.join('; ')}</td></tr>
      </table>
      ${rec.screenshot ? html`<h3>Screenshot</h3><a href=${runPrefix + rec.screenshot}><img class="shot" src=${runPrefix + rec.screenshot} alt=${`what ${label} showed`} /></a>` : html`<p class="note">no screenshot</p>`}
      <h3>Wire log (${rec.connections.length} connection${rec.connections.length === 1 ? '' : 's'}; times in ms from case start)</h3>
      ${rec.connections.map((c) => html`<h4>connection #${c.index} (proxy id ${c.id}, browser port ${c.clientPort}, opened ${c.openedAt} ms)</h4>
        <table class="wire">${wireRows(c)}</table>`)}
      ${rec.origin.length ? html`<h3>Origin behind the tunnel</h3><table>${rec.origin.map((o) => html`<tr><td class="mono">${o.t.toFixed(1)}</td><td>${o.kind}</td><td class="mono">${o.detail}</td></tr>`)}</table>` : null}
    </div>`}
  </section>`;
}

function casePage(run: RunResults, m: Matrix, row: Row): VNode {
  const f = row.fixture;
  return html`<main>
    <p><a href="../index.html">← matrix</a></p>
    <h1>${f.id}: ${f.title}</h1>
    <p>${f.description}</p>
    <p class="note">Group: ${f.group}. Fixture file: <span class="mono">${f.file}</span>.</p>
    <h2>Requirements and acceptable outcomes</h2>
    ${f.checks.map((c) => {
      const req = requirement(c.requirement);
      const link = req ? requirementLink(req) : undefined;
      return html`<div>
        <h3>${c.requirement} <small>(${req?.level})</small></h3>
        <p>${req?.statement} — ${link ? html`<a href=${link}>${req?.where}</a>` : req?.where}</p>
        <table><tr><th>when</th><th>verdict</th><th>meaning</th></tr>
          ${c.outcomes.map((o) => html`<tr><td class="mono">${Object.entries(o.when).map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(' | ') : v}`).join(', ')}</td><td>${verdictBadge(o.verdict)}</td><td>${o.means}</td></tr>`)}
          <tr><td>otherwise</td><td>${verdictBadge(c.otherwise.verdict)}</td><td>${c.otherwise.means}</td></tr>
        </table></div>`;
    })}
    ${f.history2015 ? html`<h2>2015 observations</h2><table>${(Object.keys(LINEAGES_2015) as Browser2015[]).filter((b) => f.history2015?.[b]).map((b) => {
      const h = f.history2015![b]!;
      return html`<tr><td>${LINEAGES_2015[b].label}</td><td><b>${h.cite}</b> ${h.observed}<div class="note">seed-2015 ${h.cite}: ${OBSERVATIONS_2015[h.cite]}</div></td><td class="mono">${Object.entries(h.facts).map(([k, v]) => `${k} = ${String(v)}`).join(', ') || h.comparable || ''}</td></tr>`;
    })}</table>` : null}
    <h2>Proxy script</h2>
    <pre>${JSON.stringify(f.proxy, null, 2)}</pre>
    ${row.cells.map((cell) => evidence(f, cell, m.clients.find((c) => c.name === cell.client)?.label ?? cell.client, '../'))}
  </main>`;
}

/** Writes the run's pages, and reports/index.html for it. Returns the paths written. */
export function writeReport(run: RunResults, resultsPath: string, options: { topIndex?: string } = {}): { index: string; runIndex: string } {
  const runDir = dirname(resultsPath);
  const m = buildMatrix(run);
  mkdirSync(join(runDir, 'cases'), { recursive: true });
  for (const g of m.groups) {
    for (const row of g.rows) {
      writeFileSync(join(runDir, 'cases', `${row.fixture.id}.html`), page(`${row.fixture.id} — connect-conformance`, casePage(run, m, row), CSS));
    }
  }
  const runIndex = join(runDir, 'index.html');
  writeFileSync(runIndex, page('connect-conformance report', matrixPage(run, m, ''), CSS));
  const index = options.topIndex ?? join(runDir, '..', '..', 'index.html');
  const prefix = relative(dirname(index), runDir).split('\\').join('/') + '/';
  writeFileSync(index, page('connect-conformance report', matrixPage(run, m, prefix), CSS));
  return { index, runIndex };
}
