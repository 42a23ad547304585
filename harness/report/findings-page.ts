/**
 * The findings page, linked first from the matrix: what a JUnit status means here, an index of
 * the clients (findings per severity, each linking to that client's view), a compliance chart per
 * client (inline SVG), then every finding as one sentence, grouped by severity, each with its
 * clients, its requirement and links to the evidence. The same sentence for the same clients in
 * several cases is one item, "in 12 cases: …", with the cases listed.
 *
 * No script: a client's view is a section of its own (#client-<name>); while the URL's hash names
 * it (or a part of it), CSS (:target) shows that section alone, so the view is a link and survives
 * a reload. Without :has() support the sections simply show below the full list.
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { cls, junitSemantics, prose, topNav } from './components';
import type { Matrix } from './view-model';
import {
  countFindings,
  findings,
  findingsOf,
  groupFindings,
  SEVERITIES,
  transportOf,
  type Finding,
  type FindingCounts,
  type FindingGroup,
  type Severity,
} from './findings';
import { requirement } from '../vocabulary/requirements';
import { TRANSPORTS } from '../vocabulary/transports';

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

const SHORT: Record<Severity, string> = { security: 'security', MUST: 'MUST', SHOULD: 'SHOULD', informational: 'informational' };

/** The id of a client's section; `clientAnchor(name, severity)` is one severity within it. */
export function clientAnchor(client: string, severity?: Severity): string {
  return `client-${cls(client)}${severity ? `-${severity}` : ''}`;
}

/** Width of a text at the chart's font sizes: ~7 px a character at 12 px, scaled for others. */
const textWidth = (text: string, fontSize = 12) => Math.ceil(text.length * 7 * (fontSize / 12));

/** A label in at most two lines of at most `max` characters, broken at " (" or a space. */
function labelLines(label: string, max: number): string[] {
  if (label.length <= max) return [label];
  const paren = label.lastIndexOf(' (', max);
  const space = label.lastIndexOf(' ', max);
  const at = paren > 0 ? paren : space > 0 ? space : max;
  const rest = label.slice(at).trim();
  return [label.slice(0, at).trim(), rest.length > max ? `${rest.slice(0, max - 1)}…` : rest];
}

/**
 * Per client: a stacked bar of its verdicts (checked cases only), the counts written out under it.
 * The SVG is sized from its text (labels wrap to two lines; at most 1000 px wide) and scales down
 * with the page (max-width: 100%); each label links to the client's findings.
 */
export function complianceChart(m: Matrix): VNode {
  const rows = m.clients.filter((c) => CHART.some(([v]) => (m.totals[c.name]?.[v] ?? 0) > 0));
  const maxChars = 40;
  const lines = rows.map((c) => labelLines(c.label, maxChars));
  const labelW = Math.max(80, ...lines.flat().map((l) => textWidth(l))) + 12;
  const countsOf = (name: string) => CHART.map(([v, colour]) => ({ v, colour, n: m.totals[name]?.[v] ?? 0 }));
  const countsText = (name: string) =>
    countsOf(name)
      .filter(({ n }) => n > 0)
      .map(({ v, n }) => `${n} ${v}`)
      .join(' · ');
  const caption = 'cells of checked cases; unsupported, not applicable, dependency failed and harness errors are left out';
  const barW = Math.max(300, ...rows.map((c) => textWidth(countsText(c.name), 11)));
  const width = Math.min(1000, Math.max(labelW + barW + 8, textWidth(caption, 11) + 8));
  const rowH = 40;
  const height = rows.length * rowH + 22;
  return html`<svg class="chart" role="img" aria-label="verdicts per client" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`}>
    ${rows.map((c, i) => {
      const counts = countsOf(c.name);
      const total = counts.reduce((a, b) => a + b.n, 0) || 1;
      let x = labelW;
      const y = i * rowH + 4;
      const [first, second] = lines[i]!;
      return html`<g data-client=${c.name}>
        <a href=${`#${clientAnchor(c.name)}`}><text x="0" y=${second ? y + 11 : y + 16} font-size="12">${first}</text>${second ? html`<text x="0" y=${y + 26} font-size="12">${second}</text>` : null}</a>
        ${counts.map(({ v, colour, n }) => {
          const w = (n / total) * (width - labelW - 8);
          const bar = html`<rect x=${x} y=${y} width=${w} height="16" fill=${colour}><title>${`${c.label}: ${n} ${v}`}</title></rect>`;
          x += w;
          return bar;
        })}
        <text x=${labelW} y=${y + 30} font-size="11" fill="#333">${countsText(c.name)}</text>
      </g>`;
    })}
    <text x="0" y=${height - 6} font-size="11" fill="#555">${caption}</text>
  </svg>`;
}

/** A consequence pattern: "{shape}" and "{host}" stand for each case's own, listed below it. */
function patternText(g: FindingGroup): (string | VNode)[] {
  if (!g.consequence) return [g.pattern];
  return g.pattern
    .split(/(\{shape\}|\{host\})/)
    .map((part) =>
      part === '{shape}' ? html`<var>each case's answer shape</var>` : part === '{host}' ? html`<var>the case's host</var>` : part,
    );
}

function requirementNote(id: string | undefined): VNode | null {
  const req = id ? requirement(id) : undefined;
  return req ? html`${id} (${req.level}): ${prose(req.statement)}` : null;
}

/** A link to each client's evidence on the case page, carrying the case and client it is about. */
function evidenceLinks(href: string, caseId: string, clients: FindingGroup['clients']): VNode[] {
  return clients.map(
    (c, i) => html`${i ? ', ' : ''}<a href=${`${href}#${c.name}`} data-case=${caseId} data-client=${c.name}>${c.name}</a>`,
  );
}

/**
 * One item: the severity (the check's, from verdicts/severity.ts), the clients and the sentence;
 * over several cases "in N cases:" and the cases listed, each with its evidence links. An item of a
 * broken requirement carries its severity as data-finding-severity: the gravest of them for a case
 * and client is that cell's severity in the matrix (engine differences and changes since 2015 judge
 * no cell, so they carry none).
 */
export function findingItem(g: FindingGroup, prefix: string): VNode {
  const n = g.cases.length;
  const caseHref = (id: string) => `${prefix}cases/${id}.html`;
  const one = g.cases[0]!;
  const req = requirementNote(g.requirement);
  return html`<li class=${`finding f-${cls(g.kind)}${n > 1 ? ' grouped' : ''}`} data-severity=${g.severity} data-finding-severity=${g.requirement ? g.severity : undefined} data-kind=${g.kind} data-requirement=${g.requirement ?? ''} data-clients=${g.clients.map((c) => c.name).join(' ')} data-cases=${n} data-case-ids=${g.cases.map((c) => c.caseId).join(' ')}>
    <span class=${`sev sev-${cls(g.severity)}`}>${g.severity}</span> <b>${g.clients.map((c) => c.label).join(', ')}</b>: ${
      n > 1 ? html`<span class="in-cases">in ${n} cases:</span> ${patternText(g)}` : one.sentence
    }
    ${
      n > 1
        ? html`${req ? html`<div class="note">${req}</div>` : null}
      <ul class="cases">${g.cases.map(
        (c) =>
          html`<li data-case=${c.caseId}><a href=${caseHref(c.caseId)}>${c.caseId}</a> <span class="note">(${c.caseTitle}${c.source ? `; ${c.source}` : ''}) — evidence: ${evidenceLinks(caseHref(c.caseId), c.caseId, g.clients)}</span></li>`,
      )}</ul>`
        : html`<span class="note"> — in <a href=${caseHref(one.caseId)}>${one.caseId}</a> (${one.caseTitle})${req ? html`; ${req}` : null};
      evidence: ${evidenceLinks(caseHref(one.caseId), one.caseId, g.clients)}</span>`
    }
  </li>`;
}

/** Every client a proxy's answer acted on the origin through, per header and answer shape. */
function consequenceSection(all: Finding[], prefix: string): VNode {
  const cq = all.filter((f) => f.consequence);
  const headers = [...new Set(cq.map((f) => f.consequence!.header))];
  return html`<section id="consequences"><h2>Consequences: clients that let a proxy's answer act on the https origin (in ${plural(new Set(cq.map((f) => f.caseId)).size, 'case')})</h2>
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

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "3 findings in 39 cases" (the findings after grouping, and the cases they cover). */
function countsWords(c: FindingCounts): string {
  return `${plural(c.findings, 'finding')} in ${plural(c.cases, 'case')}`;
}

function severityList(list: Finding[], prefix: string): VNode {
  const groups = groupFindings(list);
  return groups.length ? html`<ul class="findings">${groups.map((g) => findingItem(g, prefix))}</ul>` : html`<p class="note">none</p>`;
}

/** Clients → their findings per severity, each count linking to that part of the client's view. */
function clientIndex(m: Matrix, all: Finding[]): VNode {
  return html`<section id="clients"><h2>Findings per client</h2>
    <p class="note">Each client's own findings, its repeated sentences grouped over its cases; a client's link shows its findings alone (the address keeps the view).</p>
    <table class="client-index">
      <tr><th>client</th><th>proxy</th>${SEVERITIES.map((s) => html`<th>${SHORT[s]}</th>`)}</tr>
      ${m.clients.map((c) => {
        const mine = findingsOf(all, c.name);
        return html`<tr data-client=${c.name}>
          <td><a href=${`#${clientAnchor(c.name)}`}>${c.label}</a> <span class="note mono">${c.version ?? ''}</span></td>
          <td>${TRANSPORTS[transportOf(c.name, m)].label}</td>
          ${
            c.available || mine.length
              ? SEVERITIES.map((s) => {
                  const k = countFindings(mine.filter((f) => f.severity === s));
                  return html`<td data-severity=${s}>${
                    k.findings
                      ? html`<a href=${`#${clientAnchor(c.name, s)}`}>${k.findings}</a>${k.cases !== k.findings ? html` <span class="note">(${plural(k.cases, 'case')})</span>` : null}`
                      : '—'
                  }</td>`;
                })
              : html`<td colspan=${SEVERITIES.length} class="note">not available${c.note ? `: ${c.note}` : ''}</td>`
          }
        </tr>`;
      })}
    </table></section>`;
}

/** One client's view: its findings by severity, grouped over its own cases. */
function clientSection(m: Matrix, client: Matrix['clients'][number], all: Finding[], prefix: string): VNode {
  const mine = findingsOf(all, client.name);
  return html`<section id=${clientAnchor(client.name)} class="client-findings" data-client=${client.name}>
    <h2>${client.label} ${client.version ?? ''}: ${countsWords(countFindings(mine))}</h2>
    <p class="note">Through ${TRANSPORTS[transportOf(client.name, m)].label}. <a href="#clients">All clients</a></p>
    ${
      mine.length
        ? SEVERITIES.map((s) => {
            const list = mine.filter((f) => f.severity === s);
            if (!list.length) return null;
            return html`<section id=${clientAnchor(client.name, s)} data-severity=${s}><h3>${HEADINGS[s]} (${countsWords(countFindings(list))})</h3>${severityList(list, prefix)}</section>`;
          })
        : html`<p class="note">${client.available ? 'no findings' : 'not available'}</p>`
    }
  </section>`;
}

/** `prefix` leads from where the page is written to the run's folder ('' inside it). */
export function findingsPage(m: Matrix, prefix = ''): string {
  const all = findings(m);
  const total = countFindings(all);
  const body = html`<main class="findings-page">
    <h1>Findings</h1>
    ${topNav(prefix, m.rawResults)}
    <p class="meta" id="findings-count"><b>${countsWords(total)}</b> (${plural(total.caseFindings, 'case finding')}: the same sentence for the same clients in several cases is one finding, its cases listed): ${SEVERITIES.map(
      (s) => `${SHORT[s]} ${countsWords(countFindings(all.filter((f) => f.severity === s)))}`,
    ).join('; ')}. Each names the clients, the case and the requirement, and links to the evidence (wire log, screenshot, facts).</p>
    ${junitSemantics(prefix)}
    ${clientIndex(m, all)}
    <h2>Verdicts per client</h2>
    ${complianceChart(m)}
    <div id="findings-all" class="all-view">
      ${consequenceSection(all, prefix)}
      ${SEVERITIES.map((s) => {
        const list = all.filter((f) => f.severity === s);
        return html`<section id=${`severity-${s}`} data-severity=${s}><h2>${HEADINGS[s]} (${countsWords(countFindings(list))})</h2>${severityList(list, prefix)}</section>`;
      })}
    </div>
    <div id="per-client">${m.clients.map((c) => clientSection(m, c, all, prefix))}</div>
  </main>`;
  return page('Findings — connect-conformance', body);
}
