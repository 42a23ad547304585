/**
 * Requirement coverage: every requirement row → the cases that test it and each client's verdict
 * for it there, or why no browser case can test it, or a plain "not covered yet".
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { prose, topNav, verdictBadge } from './components';
import { matches, type FactMatch } from '../verdicts/evaluate';
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

/** One consequence class in one client: measured (its control shows the consequence), blind, or cannot run. */
export interface ClassCoverage {
  control: string;
  consequence: string;
  clients: { client: string; state: 'measured' | 'blind' | 'cannot run' | 'no result'; why: string }[];
}

/**
 * Per consequence class (each positive control) and client: whether the class is measured there,
 * and why not where it is not: the control's own facts (blind), or the reason the client cannot
 * run it (a client that keeps no state between visits, a transport it has no project for).
 */
export function consequenceCoverage(m: Matrix): ClassCoverage[] {
  return m.groups
    .flatMap((g) => g.rows)
    .filter((r) => r.fixture.controls)
    .map((r) => {
      const shows = r.fixture.controls!.shows;
      return {
        control: r.fixture.id,
        consequence: r.fixture.controls!.consequence,
        clients: r.cells.map((c) => {
          const seen = Object.keys(shows)
            .map((f) => `${f}: ${String(c.facts?.[f as keyof typeof c.facts] ?? '(not observed)')}`)
            .join('; ');
          if (c.facts)
            return matches(shows as FactMatch, c.facts)
              ? { client: c.client, state: 'measured' as const, why: seen }
              : { client: c.client, state: 'blind' as const, why: `the control did not show it (${seen})` };
          if (c.verdict === 'harness error' || c.verdict === 'not available')
            return { client: c.client, state: 'no result' as const, why: c.summary };
          return { client: c.client, state: 'cannot run' as const, why: `${c.verdict}: ${c.summary}` };
        }),
      };
    });
}

function consequenceTable(m: Matrix): VNode | null {
  const classes = consequenceCoverage(m);
  if (!classes.length) return null;
  const label = (client: string) => m.clients.find((c) => c.name === client)?.label ?? client;
  const link = (control: string, client: string) => html`<a href=${`cases/${control}.html#${client}`}>${label(client)}</a>`;
  return html`<h2 id="consequence-classes">Consequence classes per client</h2>
    <p class="note">A consequence class is measured in a client only where its positive control (the origin itself sends the header) shows the consequence there. Elsewhere its cells are <b>blind</b> (neither pass nor finding), with the control's own facts as the reason, or the client <b>cannot run</b> them (it keeps no state between visits, has no page, or has no project for the transport).</p>
    <table class="coverage">
      <tr><th>class (its control)</th><th>measured in</th><th>blind in (the control's facts there)</th><th>cannot run here, or no result</th></tr>
      ${classes.map((k) => {
        const of = (state: string) => k.clients.filter((c) => c.state === state);
        const reasons = new Map<string, string[]>();
        for (const c of [...of('cannot run'), ...of('no result')]) reasons.set(c.why, [...(reasons.get(c.why) ?? []), c.client]);
        return html`<tr id=${`class-${k.control}`}><td><a href=${`cases/${k.control}.html`}>${k.control}</a><div class="note">${k.consequence}</div></td>
          <td>${of('measured').map((c, i) => html`${i ? ', ' : ''}${link(k.control, c.client)}`)}</td>
          <td>${of('blind').map((c) => html`<div>${link(k.control, c.client)}: <span class="note">${c.why}</span></div>`)}</td>
          <td>${[...reasons].map(([why, clients]) => html`<div>${clients.map((c, i) => html`${i ? ', ' : ''}${link(k.control, c)}`)}: <span class="note">${why.slice(0, 200)}</span></div>`)}</td></tr>`;
      })}
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
    ${consequenceTable(m)}
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
