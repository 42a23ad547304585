/**
 * One case: what it tests (requirement text, RFC link, acceptable outcomes), the 2015 record, the
 * proxy script, then per client the verdicts, facts, navigation, screenshot and full wire log.
 */
import type { VNode } from 'preact';
import { html, page } from './html';
import { dependencyLine, expectationLine, historyLine, prose, topNav, verdictBadge } from './components';
import type { Cell, Matrix, Row } from './view-model';
import { LINEAGES_2015, OBSERVATIONS_2015, type Browser2015 } from '../vocabulary/history-2015';
import { requirement, requirementLink } from '../vocabulary/requirements';
import { FACTS, type FactName } from '../vocabulary/facts';
import { escapeBytes, hexDump, stripAnsi } from '../wire/bytes';
import type { ConnectionTrace } from '../evidence/events';
import type { LoadedFixture } from '../cases/load';
import type { CaseRecord } from '../evidence/record';
import { failureCode, failureText } from '../evidence/failure';
import { DIRECTION, describeFirstProxy, describeOriginEvent, describeProxyEvent, sessionLogLines } from './wire-text';

function wireRows(c: ConnectionTrace): VNode[] {
  return c.events.map((e) => {
    const bytes = 'data' in e && e.data ? Buffer.from(e.data, 'base64') : undefined;
    const moved = e.kind === 'c2p' || e.kind === 'p2c';
    return html`<tr class=${moved ? e.kind : 'ev'}>
      <td class="mono">${e.t.toFixed(1)}</td><td class="mono">#${c.index}</td><td>${moved ? DIRECTION[e.kind] : e.kind}</td>
      <td class="bytes">${moved ? null : html`<span>${describeProxyEvent(e)}</span>`}${
        bytes
          ? html`<span>${moved ? '' : ' — '}${bytes.length} bytes: ${escapeBytes(bytes, 600)}</span><details><summary>hex + ASCII</summary><pre>${hexDump(bytes, 4096)}</pre></details>`
          : null
      }</td>
    </tr>`;
  });
}

function harnessLine(rec: CaseRecord): string {
  const strays = rec.harness.strays;
  return [
    `settled at ${rec.harness.settledAt} ms, context closed at ${rec.harness.contextClosedAt} ms (later events are the harness's)`,
    ...rec.harness.notes,
    ...(strays.length ? [`${strays.length} refused background request(s): ${strays.map((s) => s.requestLine).join(', ')}`] : []),
  ].join('; ');
}

function evidence(fixture: LoadedFixture, cell: Cell, label: string): VNode {
  const rec = cell.result?.record;
  const nav = rec?.navigation;
  return html`<section id=${cell.client} data-severity=${cell.severity ?? 'none'}>
    <h2>${label} ${rec?.client.version ?? ''}: ${verdictBadge(cell.verdict)}${cell.severity ? html` <span class=${`sev sev-${cell.severity}`}>${cell.severity}</span>` : null}</h2>
    ${cell.uncontrolled ? html`<p><b>unsupported</b>: ${cell.uncontrolled.why} (own verdict: ${cell.ownVerdict}); control: <a href=${`${cell.uncontrolled.caseId}.html#${cell.client}`}>${cell.uncontrolled.caseId}</a></p>` : null}
    ${
      !rec
        ? html`<pre>${cell.result?.harnessError ?? cell.summary}</pre>`
        : html`<div>
      <p><b>Observed:</b> ${cell.summary}</p>
      ${dependencyLine(cell)}
      <table>
        ${(cell.checks ?? []).map((c) => html`<tr><td>${verdictBadge(c.verdict)}</td><td><b>${c.requirement}</b> (${c.level})</td><td>${c.means}</td></tr>`)}
      </table>
      ${historyLine(cell)} ${expectationLine(cell)}
      <h3>Navigation</h3>
      <table>
        <tr><td>URL</td><td class="mono">${nav?.url ?? ''}</td></tr>
        <tr><td>outcome</td><td class="mono">${nav?.committed ? `committed, HTTP ${nav.status ?? '?'}` : `error ${nav?.failure ? failureCode(nav.failure) : ''}`}</td></tr>
        <tr><td>failure as reported</td><td><pre>${nav?.failure ? `${nav.failure.by}: ${stripAnsi(failureText(nav.failure))}` : ''}</pre></td></tr>
        <tr><td>final URL</td><td class="mono">${nav?.finalUrl ?? ''}</td></tr>
        <tr><td>title</td><td>${nav?.title ?? ''}</td></tr>
        <tr><td>page text</td><td><pre>${nav?.text ?? ''}</pre></td></tr>
        <tr><td>duration</td><td>${nav?.durationMs ?? ''} ms</td></tr>
        <tr><td>harness</td><td class="note">${harnessLine(rec)}</td></tr>
        ${
          rec.proxyCertificate
            ? html`<tr><td>proxy certificate</td><td class="mono">defect: ${rec.proxyCertificate.defect};
              TCP connections to the proxy: ${rec.proxyCertificate.tcpConnections.map((t) => `${t} ms`).join(', ') || 'none'};
              handshakes the client completed: ${rec.proxyCertificate.handshakes.length ? rec.proxyCertificate.handshakes.map((t) => `${t} ms`).join(', ') : 'none'};
              handshakes it ended: ${rec.proxyCertificate.clientErrors.length ? rec.proxyCertificate.clientErrors.map((e) => `${e.t} ms ${e.error}`).join('; ') : 'none'};
              requests that reached the proxy: ${rec.connections.reduce((n, c) => n + c.requests.length, 0)} (the wire log below)</td></tr>`
            : null
        }
      </table>
      ${
        rec.screenshot
          ? html`<h3>Screenshot</h3><a href=${`../${rec.screenshot}`}><img class="shot" src=${`../${rec.screenshot}`} alt=${`what ${label} showed`} /></a>`
          : html`<p class="note">no screenshot</p>`
      }
      <h3>Facts</h3>
      <table>${(Object.keys(cell.facts ?? {}) as FactName[]).map((f) => html`<tr><td><b>${f}</b>${fixture.observe.includes(f) ? ' ★' : ''}</td><td class="mono">${String(cell.facts?.[f])}</td><td class="note">${FACTS[f].means}</td></tr>`)}</table>
      <p class="note">★ = observed by this fixture (pinned in expectations, used by verdicts).</p>
      <h3>Wire log: ${rec.connections.length} TCP connection${rec.connections.length === 1 ? '' : 's'} (ms from case start)</h3>
      ${rec.connections.map(
        (
          c,
        ) => html`<h4>connection #${c.index} — proxy connection id ${c.id}, browser port ${c.clientPort}, opened at ${c.openedAt} ms${c.tunnelProxyPort ? `, tunnelled to the origin from the proxy's port ${c.tunnelProxyPort}` : ''}</h4>
        <table class="wire"><tr><th>ms</th><th>conn</th><th>direction / event</th><th>bytes</th></tr>${wireRows(c)}</table>`,
      )}
      ${
        rec.firstProxy
          ? html`<h3>First proxy of the list (a)</h3><p class="mono">${describeFirstProxy(rec.firstProxy)}</p>
        ${rec.firstProxy.connections.map(
          (c) => html`<h4>first proxy connection #${c.index}, browser port ${c.clientPort}, opened at ${c.openedAt} ms</h4>
          <table class="wire"><tr><th>ms</th><th>conn</th><th>direction / event</th><th>bytes</th></tr>${wireRows(c)}</table>`,
        )}`
          : null
      }
      ${(rec.h2Sessions ?? []).map(
        (
          session,
        ) => html`<h3>HTTP/2 session ${session.id} (client port ${session.clientPort}, opened at ${session.openedAt} ms${session.closedAt !== undefined ? `, closed at ${session.closedAt} ms` : ''})</h3>
        <table class="wire"><tr><th>ms</th><th>frame</th></tr>${sessionLogLines(session).map((l) => html`<tr><td class="mono">${l.t.toFixed(1)}</td><td class="mono">${l.text}</td></tr>`)}</table>`,
      )}
      ${rec.origin.length ? html`<h3>Origin behind the tunnel</h3><table>${rec.origin.map((o) => html`<tr><td class="mono">${o.t.toFixed(1)}</td><td>${o.kind}</td><td class="mono">${describeOriginEvent(o)}</td></tr>`)}</table>` : null}
    </div>`
    }
  </section>`;
}

function requirementsSection(f: LoadedFixture): VNode[] {
  return f.checks.map((c) => {
    const req = requirement(c.requirement);
    const link = req ? requirementLink(req) : undefined;
    return html`<div>
      <h3>${c.requirement} <small>(${req?.level})</small></h3>
      <p>${prose(req?.statement ?? '')} — ${link ? html`<a href=${link}>${req?.where}</a>` : req?.where}</p>
      <table><tr><th>when</th><th>verdict</th><th>meaning</th></tr>
        ${c.outcomes.map(
          (o) =>
            html`<tr><td class="mono">${Object.entries(o.when)
              .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(' | ') : v}`)
              .join(', ')}</td><td>${verdictBadge(o.verdict)}</td><td>${o.means}</td></tr>`,
        )}
        <tr><td>otherwise</td><td>${verdictBadge(c.otherwise.verdict)}</td><td>${c.otherwise.means}</td></tr>
      </table></div>`;
  });
}

function history2015Section(f: LoadedFixture): VNode | null {
  if (!f.history2015) return null;
  const rows = (Object.keys(LINEAGES_2015) as Browser2015[])
    .filter((b) => f.history2015?.[b])
    .map((b) => {
      const h = f.history2015![b]!;
      return html`<tr><td>${LINEAGES_2015[b].label}</td><td><b>${h.cite}</b> ${h.observed}<div class="note">seed-2015 ${h.cite}: ${OBSERVATIONS_2015[h.cite]}</div></td><td class="mono">${
        Object.entries(h.facts)
          .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(' | ') : String(v)}`)
          .join(', ') ||
        h.comparable ||
        ''
      }</td></tr>`;
    });
  return html`<h2>2015 observations</h2><table><tr><th>browser</th><th>what the 2015 page says</th><th>as facts</th></tr>${rows}</table>`;
}

/** What the fixture declares intermittent per client, with the evidence for it ("why"). */
function intermittentSection(f: Row['fixture']) {
  const entries = Object.entries(f.intermittent ?? {});
  if (!entries.length) return null;
  return html`<h2>Intermittent facts, and why</h2>
    <p class="note">Seen to vary between runs of the same client (npm run flake). Every listed value is accepted by the expectations; a verdict is the worst over the listed values, so it does not flip.</p>
    <table><tr><th>client</th><th>facts and the values seen</th><th>why (from the wire)</th></tr>
    ${entries.map(([client, d]) => {
      const { why, ...facts } = d;
      return html`<tr><td class="mono">${client}</td><td>${Object.entries(facts).map(([k, v]) => html`<div><b>${k}</b>: ${(v as (string | number)[]).join(' / ')}</div>`)}</td><td>${why}</td></tr>`;
    })}</table>`;
}

export function casePage(m: Matrix, row: Row): string {
  const f = row.fixture;
  const body = html`<main>
    ${topNav('../')}
    <h1>${f.id}: ${f.title}</h1>
    <p>${f.description}</p>
    <p class="note">
      Group: ${f.group}. Fixture file: <span class="mono">${f.file}</span>${f.family ? ` (one variant of the family ${f.family})` : ''}.
      Client action: navigate to <span class="mono">${(f.client.urls ?? [f.client.url]).join(', then ')}</span>${f.client.credentials ? ' with proxy credentials' : ''}, bounded at ${f.client.timeoutMs} ms.
      ${f.consequence ? html`Consequence matrix: ${f.consequence.header} in ${f.consequence.shapeTitle}; source: ${f.consequence.source}.` : null}
      ${f.control ? html`Positive control: <a href=${`${f.control}.html`}>${f.control}</a> (where it shows no consequence for a client, this case is unsupported there).` : null}
      ${f.controls ? html`This is the positive control of its class: it shows ${f.controls.consequence}.` : null}
      ${f.dependsOn.length ? html`Depends on ${f.dependsOn.map((d) => html`<a href=${`${d}.html`}>${d}</a> `)}(a failure there makes this case's cell say so).` : null}
    </p>
    <p>${row.cells.map((c) => html`<a href=${`#${c.client}`}>${m.clients.find((x) => x.name === c.client)?.label ?? c.client}</a> ${verdictBadge(c.verdict)} `)}</p>
    <h2>Requirements and acceptable outcomes</h2>
    ${requirementsSection(f)}
    ${history2015Section(f)}
    ${intermittentSection(f)}
    <h2>Proxy script</h2>
    <pre>${JSON.stringify(f.proxy, null, 2)}</pre>
    ${row.cells.map((cell) => evidence(f, cell, m.clients.find((c) => c.name === cell.client)?.label ?? cell.client))}
  </main>`;
  return page(`${f.id} — connect-conformance`, body);
}
