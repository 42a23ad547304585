/**
 * How the run drove each client: label, version, executable, proxy transport and the launch
 * options, flags, prefs or command, written once per run. Case pages link here from their
 * reproduce box rather than repeating a client's launch options in every case.
 */
import { html, page } from './html';
import { topNav } from './components';
import type { Matrix } from './view-model';
import { TRANSPORTS } from '../vocabulary/transports';

export function clientsPage(m: Matrix, prefix = ''): string {
  const body = html`<main>
    <h1>Clients of run ${m.meta.runId}</h1>
    ${topNav(prefix, m.rawResults)}
    <p class="meta">${m.meta.os} ${m.meta.arch}, Node ${m.meta.node}, Playwright ${m.meta.playwright}${m.meta.commit ? `, commit ${m.meta.commit}` : ''}. Ports and certificate hashes are this run's: <span class="mono">npm run serve</span> prints the same set-up for a fixed port.</p>
    ${m.clients.map(
      (c) => html`<section id=${c.name}>
        <h2>${c.label} <span class="mono">${c.version ?? 'not available'}</span></h2>
        <p class="note">project <span class="mono">${c.name}</span>; kind ${c.kind ?? '?'}; proxy: ${TRANSPORTS[c.transport as keyof typeof TRANSPORTS]?.label ?? c.transport ?? '?'}${c.available ? '' : `; not available: ${c.note ?? ''}`}</p>
        ${c.launchConfig ? html`<pre>${JSON.stringify(c.launchConfig, null, 2)}</pre>` : html`<p class="note">no launch options recorded</p>`}
      </section>`,
    )}
  </main>`;
  return page(`Clients of run ${m.meta.runId} — connect-conformance`, body);
}
