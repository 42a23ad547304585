/**
 * The findings page, linked first from the matrix: a compliance chart per client (inline SVG, no
 * script), then every finding as one sentence, grouped by severity, each with its clients, its
 * requirement and links to the evidence.
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { prose, topNav } from './components';
import type { Matrix } from './view-model';
import { findings, SEVERITIES, type Finding, type Severity } from './findings';
import { requirement } from '../vocabulary/requirements';

const CHART = [
  ['pass', 'var(--pass)'],
  ['fail', 'var(--fail)'],
  ['non-strict', 'var(--ns)'],
  ['informational', 'var(--info)'],
] as const;

const HEADINGS: Record<Severity, string> = {
  security: "Security: a proxy's answer must never become the https page, and proxy secrets stay on the proxy hop",
  MUST: 'MUST requirements broken',
  SHOULD: 'SHOULD requirements not followed',
  informational: 'Informational: changes since 2015 and differences between engines',
};

/** Per client: a stacked bar of its verdicts (checked cases only), with the counts written out. */
export function complianceChart(m: Matrix): VNode {
  const rows = m.clients.filter((c) => CHART.some(([v]) => (m.totals[c.name]?.[v] ?? 0) > 0));
  const width = 420;
  const rowH = 22;
  const labelW = 260;
  const height = rows.length * rowH + 24;
  return html`<svg class="chart" role="img" aria-label="verdicts per client" width=${labelW + width + 220} height=${height} viewBox=${`0 0 ${labelW + width + 220} ${height}`}>
    ${rows.map((c, i) => {
      const counts = CHART.map(([v, colour]) => ({ v, colour, n: m.totals[c.name]?.[v] ?? 0 }));
      const total = counts.reduce((a, b) => a + b.n, 0) || 1;
      let x = labelW;
      const y = i * rowH + 4;
      return html`<g>
        <text x="0" y=${y + 14} font-size="12">${c.label}</text>
        ${counts.map(({ v, colour, n }) => {
          const w = (n / total) * width;
          const bar = html`<rect x=${x} y=${y} width=${w} height=${rowH - 6} fill=${colour}><title>${`${c.label}: ${n} ${v}`}</title></rect>`;
          x += w;
          return bar;
        })}
        <text x=${labelW + width + 8} y=${y + 14} font-size="12">${counts.map(({ v, n }) => `${n} ${v}`).join(' · ')}</text>
      </g>`;
    })}
    <text x="0" y=${height - 4} font-size="11" fill="#555">cells of checked cases; unsupported, not applicable, dependency failed and harness errors are left out</text>
  </svg>`;
}

function findingItem(f: Finding, prefix: string): VNode {
  const req = f.requirement ? requirement(f.requirement) : undefined;
  const href = `${prefix}cases/${f.caseId}.html`;
  return html`<li class=${`finding f-${f.kind.replace(/[^a-z0-9]+/g, '-')}`}>
    <b>${f.clients.map((c) => c.label).join(', ')}</b>: ${f.sentence}
    <span class="note"> — in <a href=${href}>${f.caseId}</a> (${f.caseTitle})${req ? html`; ${f.requirement} (${req.level}): ${prose(req.statement)}` : null};
      evidence: ${f.clients.map((c, i) => html`${i ? ', ' : ''}<a href=${`${href}#${c.name}`}>${c.name}</a>`)}</span>
  </li>`;
}

/** Every client a proxy's answer acted on the origin through, per header and answer shape. */
function consequenceSection(all: Finding[], prefix: string): VNode {
  const cq = all.filter((f) => f.consequence);
  const headers = [...new Set(cq.map((f) => f.consequence!.header))];
  return html`<section id="consequences"><h2>Consequences: clients that let a proxy's answer act on the https origin (${cq.length})</h2>
    ${
      cq.length
        ? headers.map((h) => {
            const mine = cq.filter((f) => f.consequence!.header === h);
            const shapes = [...new Set(mine.map((f) => f.consequence!.shapeTitle))];
            return html`<h3>${h}</h3><table class="consequences"><tr><th>answer shape</th><th>clients (transport), each linked to its wire log</th></tr>
              ${shapes.map((s) => {
                const here = mine.filter((f) => f.consequence!.shapeTitle === s);
                return html`<tr><td>${s}<div class="note">${here[0]!.consequence!.source}</div></td><td>${here.map(
                  (f, i) =>
                    html`${i ? '; ' : ''}${f.clients.map((c) => html`<a href=${`${prefix}cases/${f.caseId}.html#${c.name}`}>${c.label}</a>`)} (${f.consequence!.transport})`,
                )}</td></tr>`;
              })}</table>`;
          })
        : html`<p class="note">none: no proxy answer took effect on the origin in any client whose control could see it</p>`
    }</section>`;
}

/** `prefix` leads from where the page is written to the run's folder ('' inside it). */
export function findingsPage(m: Matrix, prefix = ''): string {
  const all = findings(m);
  const body = html`<main>
    <h1>Findings</h1>
    ${topNav(prefix)}
    <p class="meta">${all.length} finding${all.length === 1 ? '' : 's'}: ${SEVERITIES.map((s) => `${all.filter((f) => f.severity === s).length} ${s}`).join(', ')}. Each names the clients, the case and the requirement, and links to the evidence (wire log, screenshot, facts).</p>
    <h2>Verdicts per client</h2>
    ${complianceChart(m)}
    ${consequenceSection(all, prefix)}
    ${SEVERITIES.map((s) => {
      const list = all.filter((f) => f.severity === s);
      return html`<section id=${`severity-${s}`}><h2>${HEADINGS[s]} (${list.length})</h2>
        ${list.length ? html`<ul class="findings">${list.map((f) => findingItem(f, prefix))}</ul>` : html`<p class="note">none</p>`}</section>`;
    })}
  </main>`;
  return page('Findings — connect-conformance', body);
}
