/** The HTML page for npm run compare. */
import { html, page } from './html';
import { verdictBadge } from './components';
import type { CaseDiff } from './compare';
import type { RunResults } from '../runs/results';

export function diffPage(diffs: CaseDiff[], older: RunResults, newer: RunResults): string {
  const shown = diffs.filter((d) => d.transition !== 'unchanged');
  const body = html`<main>
    <h1>Compare runs</h1>
    <p class="meta">Before: ${older.run.id} (${Object.entries(older.clients)
      .map(([n, c]) => `${n} ${c.version ?? 'n/a'}`)
      .join(', ')}).
      After: ${newer.run.id} (${Object.entries(newer.clients)
        .map(([n, c]) => `${n} ${c.version ?? 'n/a'}`)
        .join(', ')}).</p>
    <p>${(['regressed', 'improved', 'changed', 'added', 'removed', 'unchanged'] as const).map((t) => html`<span class=${`t-${t}`}>${diffs.filter((d) => d.transition === t).length} ${t}</span> `)}</p>
    ${
      shown.length === 0
        ? html`<p>No case changed its verdict or observed outcome.</p>`
        : html`<table>
      <tr><th>transition</th><th>case</th><th>client</th><th>before</th><th>after</th></tr>
      ${shown.map(
        (d) => html`<tr>
        <td class=${`t-${d.transition}`}>${d.transition}</td><td class="mono">${d.caseId}</td><td>${d.client}</td>
        <td>${d.before ? html`${verdictBadge(d.before.verdict)} <span class="note">${d.before.version ?? ''}</span><div class="note">${d.before.summary}</div>` : '—'}</td>
        <td>${d.after ? html`${verdictBadge(d.after.verdict)} <span class="note">${d.after.version ?? ''}</span><div class="note">${d.after.summary}</div>` : '—'}</td>
      </tr>`,
      )}
    </table>`
    }
  </main>`;
  return page('Compare runs — connect-conformance', body);
}
