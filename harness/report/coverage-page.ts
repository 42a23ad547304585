/**
 * Requirement coverage: every requirement row → the cases that test it and each client's verdict
 * for it there, or why no browser case can test it, or a plain "not covered yet".
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { prose, topNav, verdictBadge } from './components';
import type { Matrix } from './view-model';
import { CLIENTS } from '../clients/registry';
import { projectName, TRANSPORT_NAMES, TRANSPORTS } from '../vocabulary/transports';
import { NOT_COVERED_YET, NOT_TESTABLE_IN_BROWSERS, REQUIREMENTS, requirementLink, type Requirement } from '../vocabulary/requirements';

export interface CoverageRow {
  requirement: Requirement;
  cases: { id: string; verdicts: { client: string; verdict: string; means?: string }[] }[];
  untestable?: string;
}

export function coverage(m: Matrix): CoverageRow[] {
  const rows = m.groups.flatMap((g) => g.rows);
  return (REQUIREMENTS as readonly Requirement[]).map((req) => {
    const cases = rows
      .filter((r) => r.fixture.requirements.includes(req.id as never))
      .map((r) => ({
        id: r.fixture.id,
        verdicts: r.cells.map((c) => {
          const check = c.checks?.find((x) => x.requirement === req.id);
          return { client: c.client, verdict: check?.verdict ?? c.verdict, ...(check ? { means: check.means } : {}) };
        }),
      }));
    const untestable = NOT_TESTABLE_IN_BROWSERS[req.id];
    return { requirement: req, cases, ...(untestable ? { untestable } : {}) };
  });
}

/** Which client runs over which way of reaching the proxy, and why not where it does not (its cells there are not applicable). */
function transportTable(): VNode {
  const clients = Object.values(CLIENTS);
  return html`<h2>Clients and proxy transports</h2>
    <p class="note">A client without a project for a transport has no column there: every case over that transport is not applicable to it, for the reason given.</p>
    <table class="coverage">
      <tr><th>client</th>${TRANSPORT_NAMES.map((t) => html`<th>${TRANSPORTS[t].label}</th>`)}</tr>
      ${clients.map(
        (c) =>
          html`<tr><td>${c.label}</td>${TRANSPORT_NAMES.map((t) =>
            c.capabilities.transports.includes(t)
              ? html`<td>runs (<span class="mono">${projectName(c.name, t)}</span>)</td>`
              : html`<td class="note">not applicable: ${c.capabilities.transportGaps?.[t] ?? 'no project for this transport'}</td>`,
          )}</tr>`,
      )}
    </table>`;
}

export function coveragePage(m: Matrix): string {
  const rows = coverage(m);
  const families = [...new Set(rows.map((r) => r.requirement.family))];
  const covered = rows.filter((r) => r.cases.length).length;
  const body = html`<main>
    <h1>Requirement coverage</h1>
    ${topNav('', m.rawResults)}
    <p class="meta">${covered} of ${rows.length} requirements are tested by at least one case; ${rows.filter((r) => r.untestable).length} cannot be tested in browsers; ${rows.filter((r) => !r.cases.length && !r.untestable).length} are not covered yet.</p>
    ${transportTable()}
    ${families.map(
      (fam) => html`<h2>${fam}</h2>
      <table class="coverage">
        <tr><th>requirement</th><th>level</th><th>statement</th><th>cases and verdicts</th></tr>
        ${rows
          .filter((r) => r.requirement.family === fam)
          .map((r) => {
            const link = requirementLink(r.requirement);
            let cases: VNode | VNode[];
            if (r.cases.length) {
              cases = r.cases.map(
                (c) =>
                  html`<div><a href=${`cases/${c.id}.html`}>${c.id}</a>: ${c.verdicts.map((v) => html`<span title=${v.means ?? ''}>${m.clients.find((x) => x.name === v.client)?.label ?? v.client} ${verdictBadge(v.verdict)} </span>`)}</div>`,
              );
            } else if (r.untestable) {
              cases = html`<span class="untestable">not testable in browsers: ${r.untestable}</span>`;
            } else {
              const why = NOT_COVERED_YET[r.requirement.id];
              cases = html`<span class="covered-no">not covered yet: ${why ?? 'no fixture tests this requirement'}</span>`;
            }
            return html`<tr id=${r.requirement.id}><td class="mono">${r.requirement.id}</td><td>${r.requirement.level}</td>
            <td>${prose(r.requirement.statement)} <span class="note">(${link ? html`<a href=${link}>${r.requirement.where}</a>` : r.requirement.where})</span></td><td>${cases}</td></tr>`;
          })}
      </table>`,
    )}
  </main>`;
  return page('Requirement coverage — connect-conformance', body);
}
