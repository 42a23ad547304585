/**
 * Two cross-cutting views: which error each browser gives for each way a proxy refuses or fails,
 * and the security checks (a proxy's bytes must never become the https origin's page).
 */
import { html, page } from './html';
import { topNav, verdictBadge } from './components';
import type { Cell, Matrix, Row } from './view-model';
import { latin1Bytes } from '../wire/bytes';
import { REQUIREMENTS, isSecurity, type Requirement } from '../vocabulary/requirements';

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

export function summaryPage(m: Matrix): string {
  const rows = m.groups.flatMap((g) => g.rows);
  const errorRows = rows.filter((r) => r.cells.some((c) => c.facts && c.facts.error !== 'none'));
  const securityRows = rows.filter(
    (r) => r.fixture.requirements.some((q) => SECURITY_REQUIREMENTS.includes(q)) || r.cells.some(committedWithoutOrigin),
  );
  const cellFor = (r: Row, client: string) => r.cells.find((c) => c.client === client);
  const body = html`<main>
    <h1>Errors and security checks</h1>
    ${topNav('')}
    <h2>What the user is told: error code per case</h2>
    <p class="note">Every case where at least one browser did not load the page. "proxy status" is the status line the proxy scripted first.</p>
    <table>
      <tr><th>case</th><th>proxy status</th>${m.clients.map((c) => html`<th>${c.label} ${c.version ?? ''}</th>`)}</tr>
      ${errorRows.map(
        (r) => html`<tr><td><a href=${`cases/${r.fixture.id}.html`}>${r.fixture.id}</a></td><td class="mono">${scriptedStatus(r)}</td>
        ${m.clients.map((c) => {
          const cell = cellFor(r, c.name);
          return html`<td class="mono">${cell?.facts ? `${String(cell.facts.error)}${cell.facts.page !== 'error page' ? ` (${String(cell.facts.page)})` : ''}` : (cell?.verdict ?? '')}</td>`;
        })}</tr>`,
      )}
    </table>
    <h2>Security: the proxy's bytes must never become the https page</h2>
    <p class="note">Cases checking a security requirement (${SECURITY_REQUIREMENTS.join(', ')}), and any case where a navigation committed under the https URL without the origin behind it.</p>
    <table>
      <tr><th>case</th>${m.clients.map((c) => html`<th>${c.label}</th>`)}</tr>
      ${securityRows.map(
        (r) => html`<tr><td><a href=${`cases/${r.fixture.id}.html`}>${r.fixture.id}</a><div class="note">${r.fixture.title}</div></td>
        ${m.clients.map((c) => {
          const cell = cellFor(r, c.name);
          if (!cell?.facts) return html`<td>${verdictBadge(cell?.verdict ?? 'not available')}</td>`;
          const checks = (cell.checks ?? []).filter((k) => SECURITY_REQUIREMENTS.includes(k.requirement));
          return html`<td>${checks.map((k) => html`<div>${verdictBadge(k.verdict)} ${k.requirement}: ${k.means}</div>`)}
            ${committedWithoutOrigin(cell) ? html`<div class="changed">committed HTTP ${String(cell.facts['committed-status'])} at ${String(cell.facts['final-url'])} with no tunnel to the origin</div>` : null}
            <div class="note">proxy body shown: ${String(cell.facts['proxy-body-shown'])}; redirect followed: ${String(cell.facts['redirect-followed'])}</div></td>`;
        })}</tr>`,
      )}
    </table>
  </main>`;
  return page('Errors and security — connect-conformance', body);
}
