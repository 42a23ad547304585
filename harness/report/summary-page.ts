/**
 * Two cross-cutting views: which error each browser gives for each way a proxy refuses or fails,
 * and the security checks (a proxy's bytes must never become the https origin's page).
 */
import { html, page } from './html';
import { topNav, verdictBadge } from './components';
import type { Cell, Matrix, Row } from './view-model';
import { TRANSPORT_NAMES, TRANSPORTS } from '../vocabulary/transports';
import { latin1Bytes } from '../wire/bytes';
import { REQUIREMENTS, isSecurity, requirement, type Requirement } from '../vocabulary/requirements';
import { worst } from '../vocabulary/verdicts';

/** Derived from the requirement table: the rows whose level or family says security. */
const SECURITY_REQUIREMENTS: string[] = (REQUIREMENTS as readonly Requirement[]).filter(isSecurity).map((r) => r.id);

/** The status code of the first response a fixture's proxy sends, e.g. "403" (or "—"). */
export function scriptedStatus(row: Row): string {
  // The answer the case host gets: skip exchanges for redirect targets or non-CONNECT requests.
  const main = row.fixture.proxy.exchanges.filter((ex) => ex.when?.host !== 'subdomain' && (ex.when?.method ?? 'CONNECT') === 'CONNECT');
  for (const ex of main.length ? main : row.fixture.proxy.exchanges) {
    for (const step of ex.steps) {
      if (step.do !== 'send') continue;
      const text = step.text ?? (step.hex ? Buffer.from(step.hex.replace(/\s+/g, ''), 'hex').toString('latin1') : '') ?? '';
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(latin1Bytes(text).toString('latin1'));
      if (m) return m[1]!;
    }
  }
  return '—';
}

/** A navigation that committed under the https URL although the origin never completed a handshake. */
export function committedWithoutOrigin(cell: Cell): boolean {
  return (
    !!cell.facts &&
    String(cell.facts['final-url']).startsWith('https:') &&
    cell.facts['committed-status'] !== 'none' &&
    cell.facts['origin-tls'] !== 'completed' &&
    cell.facts.page !== 'loaded'
  );
}

/** The facts a fixture's check for this requirement reads: the evidence to show beside its verdict. */
function checkFacts(row: Row, requirementId: string): string[] {
  const check = row.fixture.checks.find((c) => c.requirement === requirementId);
  return [...new Set((check?.outcomes ?? []).flatMap((o) => Object.keys(o.when)))];
}

/** One row per security requirement (a CVE family): per client, the worst verdict and each case's evidence. */
function cveFamilies(m: Matrix, rows: Row[]) {
  return html`<table>
    <tr><th>family (requirement and CVE ids)</th>${m.clients.map((c) => html`<th data-client=${c.name} data-transport=${c.transport}>${c.label}</th>`)}</tr>
    ${SECURITY_REQUIREMENTS.map((id) => {
      const req = requirement(id)!;
      // The consequence matrix has a table of its own (a row per header): here, the other cases.
      const cases = rows.filter((r) => r.fixture.requirements.includes(id as never) && !r.fixture.consequence && !r.fixture.controls);
      return html`<tr id=${`family-${id}`}><td><b>${id}</b> (${req.level})<div class="note">${req.where}</div>
          ${cases.length ? null : html`<div class="changed">no case yet</div>`}</td>
        ${m.clients.map((c) => {
          const seen = cases.flatMap((r) => {
            const cell = r.cells.find((x) => x.client === c.name);
            const check = cell?.checks?.find((k) => k.requirement === id);
            return cell && check ? [{ r, cell, check }] : [];
          });
          if (!seen.length) return html`<td class="note" data-client=${c.name} data-transport=${c.transport}>—</td>`;
          return html`<td data-client=${c.name} data-transport=${c.transport}>${verdictBadge(worst(seen.map((x) => x.check.verdict)))}
            ${seen.map(
              ({
                r,
                cell,
                check,
              }) => html`<div class="note"><a href=${`cases/${r.fixture.id}.html#${c.name}`}>${r.fixture.id}</a>: ${check.verdict};
                ${checkFacts(r, id)
                  .map((f) => `${f}: ${String(cell.facts?.[f as keyof typeof cell.facts] ?? '(not observed)')}`)
                  .join('; ')}</div>`,
            )}</td>`;
        })}</tr>`;
    })}
  </table>`;
}

/**
 * One row per consequence class (an origin-acting header): per client, the answer shapes whose
 * header took effect (each linked to its evidence), how many shapes passed, and how many are
 * unsupported because the class's positive control did not show the consequence.
 */
function consequenceClasses(m: Matrix, rows: Row[]) {
  const cells = rows.filter((r) => r.fixture.consequence);
  const headers = [...new Set(cells.map((r) => r.fixture.consequence!.header))];
  if (!headers.length) return html`<p class="note">no consequence cases in this run</p>`;
  return html`<table class="consequences">
    <tr><th>header in the proxy's answer (requirement)</th>${m.clients.map((c) => html`<th data-client=${c.name} data-transport=${c.transport}>${c.label}</th>`)}</tr>
    ${headers.map((header) => {
      const list = cells.filter((r) => r.fixture.consequence!.header === header);
      const req = list[0]!.fixture.requirements[0]!;
      const control = rows.find((r) => r.fixture.id === list[0]!.fixture.control);
      return html`<tr id=${`consequence-${header.replace(/[^A-Za-z0-9]+/g, '-')}`}><td><b>${header}</b><div class="note">${req}${control ? html`; control: <a href=${`cases/${control.fixture.id}.html`}>${control.fixture.id}</a>` : null}</div></td>
        ${m.clients.map((c) => {
          const mine = list.map((r) => ({ r, cell: r.cells.find((x) => x.client === c.name)! }));
          const judged = mine.filter(({ cell }) =>
            ['pass', 'fail', 'informational', 'not measured', 'blind', 'unsupported'].includes(cell.verdict),
          );
          if (!judged.length)
            return html`<td class="note" data-client=${c.name} data-transport=${c.transport}>${mine[0]?.cell.verdict ?? '—'}</td>`;
          const failed = mine.filter(({ cell }) => cell.verdict === 'fail');
          const count = (v: string) => mine.filter(({ cell }) => cell.verdict === v).length;
          // The class's word for the client: fail if any shape took effect; else pass where some shape
          // was judged (a shape the client cannot run, such as credentials, does not hide that).
          const word = failed.length ? 'fail' : count('pass') ? 'pass' : worst(judged.map(({ cell }) => cell.verdict));
          return html`<td data-client=${c.name} data-severity=${failed.length ? 'security' : 'none'} data-transport=${c.transport}>${verdictBadge(word)}
            ${failed.length ? html`<div>took effect in: ${failed.map(({ r }, i) => html`${i ? ', ' : ''}<a href=${`cases/${r.fixture.id}.html#${c.name}`}>${r.fixture.consequence!.shape}</a>`)}</div>` : null}
            <div class="note">${['pass', 'informational', 'not measured', 'blind', 'unsupported', 'harness error']
              .filter((v) => count(v) || v === 'pass')
              .map((v) => `${count(v)} ${v === 'unsupported' ? 'cannot run' : v}`)
              .join(', ')}</div></td>`;
        })}</tr>`;
    })}
  </table>`;
}

/** Shows the client columns of one transport; the choice lives in the address's hash (#proxy=h2). */
export const TRANSPORT_SCRIPT = `(() => {
  const sel = document.querySelector('#s-transport');
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('proxy');
  if (fromHash !== null && [...sel.options].some((o) => o.value === fromHash)) sel.value = fromHash;
  function apply() {
    for (const el of document.querySelectorAll('[data-transport]')) el.hidden = sel.value !== '' && el.dataset.transport !== sel.value;
    history.replaceState(null, '', '#proxy=' + encodeURIComponent(sel.value));
  }
  sel.addEventListener('change', apply);
  apply();
})();`;

export function summaryPage(m: Matrix): string {
  const rows = m.groups.flatMap((g) => g.rows);
  const errorRows = rows.filter((r) => r.cells.some((c) => c.facts && c.facts.error !== 'none'));
  const securityRows = rows.filter(
    (r) =>
      !r.fixture.consequence &&
      !r.fixture.controls &&
      (r.fixture.requirements.some((q) => SECURITY_REQUIREMENTS.includes(q)) || r.cells.some(committedWithoutOrigin)),
  );
  const cellFor = (r: Row, client: string) => r.cells.find((c) => c.client === client);
  const transports = TRANSPORT_NAMES.filter((t) => m.clients.some((c) => c.transport === t));
  const body = html`<main class="summary">
    <h1>Errors and security checks</h1>
    ${topNav('', m.rawResults)}
    <form id="filters"><label>proxy <select id="s-transport">${transports.map((t) => html`<option value=${t}>${TRANSPORTS[t].label}</option>`)}<option value="">all (wide)</option></select></label>
      <span class="note">the clients over one proxy transport at a time; the choice is kept in the address</span></form>
    <h2>What the user is told: error code per case</h2>
    <p class="note">Every case where at least one browser did not load the page. "proxy status" is the status line the proxy scripted first.</p>
    <table>
      <tr><th>case</th><th>proxy status</th>${m.clients.map((c) => html`<th data-client=${c.name} data-transport=${c.transport}>${c.label}<br /><span class="mono">${c.version ?? ''}</span></th>`)}</tr>
      ${errorRows.map(
        (r) => html`<tr><td><a href=${`cases/${r.fixture.id}.html`}>${r.fixture.id}</a></td><td class="mono">${scriptedStatus(r)}</td>
        ${m.clients.map((c) => {
          const cell = cellFor(r, c.name);
          return html`<td class="mono" data-client=${c.name} data-transport=${c.transport}>${cell?.facts ? `${String(cell.facts.error)}${cell.facts.page !== 'error page' ? ` (${String(cell.facts.page)})` : ''}` : (cell?.verdict ?? '')}</td>`;
        })}</tr>`,
      )}
    </table>
    <h2>Security families: one row per CVE family</h2>
    <p class="note">Each security requirement with the CVEs it comes from; per client the worst verdict over its cases, and for each case the verdict and the facts its check reads (for cookies: the cookie names the origin received and the page saw), linked to the evidence.</p>
    ${cveFamilies(m, rows)}
    <h2>Consequences: what a proxy's answer did to the https origin, one row per header</h2>
    <p class="note">The consequence matrix: each origin-acting header in every answer shape (the 200 that opens the tunnel, 1xx, other 2xx, complete 3xx/4xx/5xx, 407, answers cut off) over every proxy transport, measured on a later visit through a working tunnel. A shape listed under "took effect in" is a security finding; "unsupported" means the class's positive control (the origin itself sending the header) showed no consequence in that client, so a pass could not be believed.</p>
    ${consequenceClasses(m, rows)}
    <h2>Security: the proxy's bytes must never become the https page</h2>
    <p class="note">Cases checking a security requirement (${SECURITY_REQUIREMENTS.join(', ')}), and any case where a navigation committed under the https URL without the origin behind it.</p>
    <table>
      <tr><th>case</th>${m.clients.map((c) => html`<th data-client=${c.name} data-transport=${c.transport}>${c.label}</th>`)}</tr>
      ${securityRows.map(
        (r) => html`<tr><td><a href=${`cases/${r.fixture.id}.html`}>${r.fixture.id}</a><div class="note">${r.fixture.title}</div></td>
        ${m.clients.map((c) => {
          const cell = cellFor(r, c.name);
          if (!cell?.facts)
            return html`<td data-case=${r.fixture.id} data-client=${c.name} data-severity="none" data-transport=${c.transport}>${verdictBadge(cell?.verdict ?? 'not available')}</td>`;
          const checks = (cell.checks ?? []).filter((k) => SECURITY_REQUIREMENTS.includes(k.requirement));
          return html`<td data-case=${r.fixture.id} data-client=${c.name} data-severity=${cell.severity ?? 'none'} data-transport=${c.transport}>${cell.severity ? html`<span class=${`sev sev-${cell.severity}`}>${cell.severity}</span>` : null}${cell.uncontrolled ? html`<div>${verdictBadge('blind')} ${cell.uncontrolled.why}</div>` : null}${checks.map((k) => html`<div>${verdictBadge(k.verdict)} ${k.requirement}: ${k.means}</div>`)}
            ${committedWithoutOrigin(cell) ? html`<div class="changed">committed HTTP ${String(cell.facts['committed-status'])} at ${String(cell.facts['final-url'])} with no tunnel to the origin</div>` : null}
            <div class="note">proxy body shown: ${String(cell.facts['proxy-body-shown'])}; redirect followed: ${String(cell.facts['redirect-followed'])}</div></td>`;
        })}</tr>`,
      )}
    </table>
  </main>`;
  return page('Errors and security — connect-conformance', body, { script: TRANSPORT_SCRIPT });
}
