/**
 * One case: what it tests (requirement text, RFC link, acceptable outcomes), the 2015 record, the
 * proxy script, then per client the verdicts, facts, navigation, screenshot and full wire log.
 */
import type { VNode } from 'preact';
import { html, page, STYLESHEET_FILE } from './html';
import { controlLine, dependencyLine, expectationLine, historyLine, prose, topNav, verdictBadge, versionAfter } from './components';
import type { Cell, Matrix, Row } from './view-model';
import { LINEAGES_2015, OBSERVATIONS_2015, type Browser2015 } from '../vocabulary/history-2015';
import { requirement, requirementLink } from '../vocabulary/requirements';
import { FACTS, type FactName } from '../vocabulary/facts';
import { escapeBytes, hexDump, stripAnsi } from '../wire/bytes';
import { parseProjectName } from '../vocabulary/transports';
import type { ConnectionTrace } from '../evidence/events';
import type { LoadedFixture } from '../cases/load';
import type { CaseRecord } from '../evidence/record';
import { outcomeText } from '../evidence/machine';
import { failureCode, failureText } from '../evidence/failure';
import { DIRECTION, describeFirstProxy, describeOriginEvent, describeProxyEvent, sessionLogLines, tlsRecords } from './wire-text';
import { caseHistorySection, type HistoryRun } from './changes';

/**
 * Text bytes show inline up to INLINE_TEXT, the rest up to FOLDED_TEXT folded; other bytes show
 * their first INLINE_BINARY escaped and a hex dump of the first HEX_BYTES folded. Every byte stays in
 * the raw results: the page shows what a reader can follow without drowning a case in 400 KB heads.
 */
const INLINE_TEXT = 600;
const FOLDED_TEXT = 4096;
const INLINE_BINARY = 96;
const HEX_BYTES = 512;

const printable = (bytes: Buffer) => bytes.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0d || b === 0x0a || b === 0x09);

function bytesCell(bytes: Buffer, where: string, inTunnel: boolean): VNode {
  const stored = `all ${bytes.length} bytes are in the run's raw results (${where})`;
  // Inside an open tunnel the bytes are the origin's TLS: the record layer (the ClientHello's SNI
  // and ALPN) is what a reader can follow, the rest is encrypted; every byte is in the raw results
  // and in the cell's pcapng. TLS bytes before the tunnel (early data) keep their hex as well.
  const records = tlsRecords(bytes);
  if (records && inTunnel) return html`${bytes.length} bytes: ${records}`;
  if (records)
    return html`${bytes.length} bytes: ${records}<details><summary>hex + ASCII</summary><pre>${hexDump(bytes, HEX_BYTES)}${bytes.length > HEX_BYTES ? `\n(${stored})` : ''}</pre></details>`;
  if (printable(bytes)) {
    const head = escapeBytes(bytes.subarray(0, INLINE_TEXT), INLINE_TEXT);
    if (bytes.length <= INLINE_TEXT) return html`${bytes.length} bytes: ${head}`;
    const rest = escapeBytes(bytes.subarray(INLINE_TEXT), FOLDED_TEXT - INLINE_TEXT);
    return html`${bytes.length} bytes: ${head}<details><summary>the next ${Math.min(bytes.length, FOLDED_TEXT) - INLINE_TEXT} bytes</summary><pre>${rest}${bytes.length > FOLDED_TEXT ? `\n(${stored})` : ''}</pre></details>`;
  }
  return html`${bytes.length} bytes: ${escapeBytes(bytes, INLINE_BINARY)}<details><summary>hex + ASCII</summary><pre>${hexDump(bytes, HEX_BYTES)}${bytes.length > HEX_BYTES ? `\n(${stored})` : ''}</pre></details>`;
}

function wireRows(c: ConnectionTrace): VNode[] {
  // The tunnel is open from the proxy's 2xx on (the client's ClientHello may come before the
  // proxy's tunnel-open event) or its tunnel-open: bytes after it are the origin's TLS.
  // The proxy's own bytes count as the origin's only once the tunnel to it is open.
  let answered = false;
  let opened = false;
  return c.events.map((e, i) => {
    if (e.kind === 'tunnel-open') opened = true;
    if (e.kind === 'response' && !e.interim && e.status >= 200 && e.status < 300) answered = true;
    const inTunnel = opened || (answered && e.kind === 'c2p');
    const bytes = 'data' in e && e.data ? Buffer.from(e.data, 'base64') : undefined;
    const moved = e.kind === 'c2p' || e.kind === 'p2c';
    return html`<tr class=${moved ? e.kind : 'ev'}>
      <td>${e.t.toFixed(1)}</td><td>${moved ? DIRECTION[e.kind] : e.kind}</td>
      <td>${moved ? null : `${describeProxyEvent(e)}${bytes ? ' — ' : ''}`}${bytes ? bytesCell(bytes, `connection #${c.index}, event ${i}`, inTunnel && moved) : null}</td>
    </tr>`;
  });
}

function harnessLine(rec: CaseRecord): string {
  const strays = rec.harness.strays;
  const waits = rec.harness.cpuWait ?? [];
  return [
    `settled at ${rec.harness.settledAt} ms, context closed at ${rec.harness.contextClosedAt} ms (later events are the harness's)`,
    ...(waits.length
      ? [
          `longest wait of one client or worker thread for a CPU within each navigation's bound: ${waits.map((w) => `${w.maxThreadWaitMs} ms of ${w.windowMs} ms`).join(', ')}`,
        ]
      : []),
    ...(rec.harness.starvedAttempts ?? []).map(
      (a, i) =>
        `attempt ${i + 1} thrown away, starved of CPU (outcome then: ${outcomeText(a.failures)}; ${a.bounds.join('; ')} ran out while one thread waited ${a.cpuWait.maxThreadWaitMs} ms for a CPU); this record is the re-run, alone on the machine`,
    ),
    ...rec.harness.notes,
    ...(strays.length ? [`${strays.length} refused background request(s): ${strays.map((s) => s.requestLine).join(', ')}`] : []),
  ].join('; ');
}

/** A value as the expectations file writes it: a list is the values accepted (intermittent). */
const shown = (v: unknown) => (v === undefined ? '(none committed)' : Array.isArray(v) ? v.map(String).join(' or ') : String(v));

/** Expected (committed) next to observed, for the facts this case observes. */
function expectedObserved(fixture: LoadedFixture, cell: Cell): VNode {
  const differs = new Set(cell.expectation?.status === 'mismatch' ? cell.expectation.differences.map((d) => d.fact) : []);
  return html`<table class="facts-table"><tr><th>fact ★</th><th>expected (expectations/${cell.client}.json)</th><th>observed</th></tr>
    ${fixture.observe.map(
      (f) =>
        html`<tr class=${differs.has(f) ? 'differs' : ''}><td><a href=${`#fact-${f}`}><b>${f}</b></a></td><td class="mono">${shown(cell.expected?.[f])}</td><td class="mono">${String(cell.facts?.[f] ?? '(not observed)')}${differs.has(f) ? html` <span class="exp-mismatch">differs</span>` : null}</td></tr>`,
    )}</table>`;
}

/** The executable and the proxy setting of a launch configuration, in one line (the rest is on the clients page). */
function driven(config: Record<string, unknown> | undefined): string {
  if (!config) return '';
  const pick = ['executablePath', 'driver', 'command', 'proxy'].filter((k) => config[k] !== undefined);
  return pick.length
    ? ` (${pick.map((k) => `${k}: ${typeof config[k] === 'string' ? config[k] : JSON.stringify(config[k])}`).join('; ')})`
    : '';
}

/** How to see this cell again: the one-case command, the standing proxy, and how the suite drove the client. */
export function reproduceBox(m: Matrix, caseId: string, cell: Cell): VNode {
  const client = m.clients.find((c) => c.name === cell.client);
  const parsed = parseProjectName(cell.client);
  const kind = client?.kind ?? parsed.client; // a cell always has its client in the matrix; the fallback is for types
  const transport = client?.transport ?? parsed.transport;
  const caseCommand = `npm run case -- ${caseId} --client ${kind} --transport ${transport}`;
  const serveCommand = `npm run serve -- ${caseId} --transport ${transport}`;
  const rec = cell.result?.record;
  return html`<div class="repro" data-client=${cell.client}>
    <b>Reproduce</b> <span class="note">${client?.label ?? cell.client} ${versionAfter(client?.label ?? cell.client, rec?.client.version ?? client?.version)}${rec?.client.executablePath ? ` (${rec.client.executablePath})` : ''}</span>
    <div>as the suite runs it: <code class="cmd-case">${caseCommand}</code></div>
    <div>by hand, with your own build: <code class="cmd-serve">${serveCommand}</code></div>
    ${rec ? html`<div>this cell's wire in Wireshark (pcapng): <code class="cmd-pcap">npm run pcap -- ${caseId} ${cell.client} --run reports/runs/${m.meta.runId}</code></div>` : null}
    <div>how the suite drove it: <a href=${`../clients.html#${cell.client}`}>launch options, flags, prefs or command</a>${driven(client?.launchConfig)}</div>
  </div>`;
}

function navigationTable(rec: CaseRecord): VNode {
  const nav = rec.navigation;
  return html`<table>
    <tr><td>URL</td><td class="mono">${nav?.url ?? ''}</td></tr>
    <tr><td>failure as reported</td><td><pre>${nav?.failure ? `${nav.failure.by}: ${stripAnsi(failureText(nav.failure))}` : '(none)'}</pre></td></tr>
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
  </table>`;
}

/**
 * What the traces are, counted as the wire has them: an HTTP/2 CONNECT stream is traced like a
 * connection, but streams of one session share one TCP connection ("4 streams on 1 HTTP/2 session").
 */
export function wireCount(connections: readonly ConnectionTrace[]): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const h1 = connections.filter((c) => c.protocol !== 'h2').length;
  const streams = connections.filter((c) => c.protocol === 'h2');
  const sessions = new Set(streams.map((c) => c.id)).size;
  return [
    ...(h1 || !streams.length ? [plural(h1, 'TCP connection')] : []),
    ...(streams.length ? [`${plural(streams.length, 'stream')} on ${plural(sessions, 'HTTP/2 session')}`] : []),
  ].join(', ');
}

function wireSection(rec: CaseRecord): VNode {
  const table = (c: ConnectionTrace) =>
    html`<table class="wire"><tr><th>ms</th><th>direction / event</th><th>bytes</th></tr>${wireRows(c)}</table>`;
  return html`<h3>Wire log: ${wireCount(rec.connections)} (ms from case start)</h3>
    ${rec.connections.map(
      (c) =>
        html`<h4>${c.protocol === 'h2' ? `HTTP/2 stream ${c.h2Stream ?? '?'} of session ${c.id}` : `connection #${c.index} — proxy connection id ${c.id}`}, client port ${c.clientPort}, opened at ${c.openedAt} ms${c.tunnelProxyPort ? `, tunnelled to the origin from the proxy's port ${c.tunnelProxyPort}` : ''}</h4>${table(c)}`,
    )}
    ${
      rec.firstProxy
        ? html`<h3>First proxy of the list (a)</h3><p class="mono">${describeFirstProxy(rec.firstProxy)}</p>
      ${rec.firstProxy.connections.map((c) => html`<h4>first proxy connection #${c.index}, client port ${c.clientPort}, opened at ${c.openedAt} ms</h4>${table(c)}`)}`
        : null
    }
    ${(rec.h2Sessions ?? []).map(
      (
        session,
      ) => html`<h3>HTTP/2 session ${session.id} (client port ${session.clientPort}, opened at ${session.openedAt} ms${session.closedAt !== undefined ? `, closed at ${session.closedAt} ms` : ''})</h3>
      <table class="wire"><tr><th>ms</th><th>frame</th></tr>${sessionLogLines(session).map((l) => html`<tr><td class="mono">${l.t.toFixed(1)}</td><td class="mono">${l.text}</td></tr>`)}</table>`,
    )}
    ${rec.origin.length ? html`<h3>Origin behind the tunnel</h3><table>${rec.origin.map((o) => html`<tr><td class="mono">${o.t.toFixed(1)}</td><td>${o.kind}</td><td class="mono">${describeOriginEvent(o)}</td></tr>`)}</table>` : null}`;
}

function evidence(m: Matrix, fixture: LoadedFixture, cell: Cell, label: string): VNode {
  const rec = cell.result?.record;
  const nav = rec?.navigation;
  const others = (Object.keys(cell.facts ?? {}) as FactName[]).filter((f) => !fixture.observe.includes(f));
  return html`<section id=${cell.client} data-severity=${cell.severity ?? 'none'}>
    <h2>${label} ${versionAfter(label, rec?.client.version)}: ${verdictBadge(cell.verdict)}${cell.severity ? html` <span class=${`sev sev-${cell.severity}`}>${cell.severity}</span>` : null}</h2>
    ${cell.uncontrolled ? html`<p><b>blind here</b>: ${cell.uncontrolled.why} (own verdict: ${cell.ownVerdict}); control: <a href=${`${cell.uncontrolled.caseId}.html#${cell.client}`}>${cell.uncontrolled.caseId}</a></p>` : null}
    ${
      !rec
        ? html`<pre>${cell.result?.harnessError ?? cell.summary}</pre>${cell.verdict === 'not applicable' ? null : reproduceBox(m, fixture.id, cell)}`
        : html`<div>
      ${dependencyLine(cell)} ${cell.uncontrolled ? null : controlLine(cell)}
      <table class="checks">
        ${(cell.checks ?? []).map((c) => html`<tr><td>${verdictBadge(c.verdict)}</td><td><b>${c.requirement}</b> (${c.level})</td><td>${c.means}</td></tr>`)}
      </table>
      ${historyLine(cell)} ${expectationLine(cell)}
      ${expectedObserved(fixture, cell)}
      <p><b>Navigation:</b> <span class="mono">${nav?.committed ? `committed, HTTP ${nav.status ?? '?'}` : `error ${nav?.failure ? failureCode(nav.failure) : ''}`}</span>${nav?.finalUrl ? html` at <span class="mono">${nav.finalUrl}</span>` : null}, ${nav?.durationMs ?? '?'} ms</p>
      ${rec.proxyPort ? html`<p class="note">Reached the mock proxy on a port of its own, <span class="mono">127.0.0.1:${rec.proxyPort.port}</span> (the host names it for the client's PAC): ${rec.proxyPort.why}.</p>` : null}
      ${
        rec.screenshot
          ? html`<figure class="shot"><a href=${`../${rec.screenshot}`} title="full size"><img class="shot" src=${`../${rec.screenshot}`} alt=${`what ${label} showed`} /></a>
            <figcaption class="note">what ${label} showed at <span class="mono">${nav?.finalUrl || nav?.url || ''}</span> — <a href=${`../${rec.screenshot}`}>full size</a></figcaption></figure>`
          : html`<p class="note">no screenshot</p>`
      }
      ${reproduceBox(m, fixture.id, cell)}
      ${wireSection(rec)}
      <details class="more-facts"><summary>the other ${others.length} facts, and the navigation as reported</summary>
        <p class="mono">${others
          .filter((f) => cell.facts?.[f] !== 'none')
          .map((f) => `${f} = ${String(cell.facts?.[f])}`)
          .join('\n')}</p>
        <p class="note">none: ${others.filter((f) => cell.facts?.[f] === 'none').join(', ')}. What each means: <a href="../facts.html">the facts</a>.</p>
        <h3>Navigation</h3>${navigationTable(rec)}
      </details>
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

/** What the case's own facts mean, once per page (every fact: ../facts.html). */
function factGlossary(f: LoadedFixture): VNode {
  return html`<h2>What this case's facts mean</h2><table class="glossary">${f.observe.map((k) => html`<tr id=${`fact-${k}`}><td><b>${k}</b> ★</td><td class="note">${FACTS[k].means}</td></tr>`)}</table>
    <p class="note">★ = observed by this case (pinned in expectations/, read by its verdicts). Every other fact: <a href="../facts.html">the facts</a>.</p>`;
}

/** The clients the case does not run for, in one line rather than a section each. */
function notApplicable(m: Matrix, row: Row): VNode | null {
  const na = row.cells.filter((c) => c.verdict === 'not applicable');
  if (!na.length) return null;
  return html`<p class="note">Not applicable (the case does not run over their proxy transport): ${na.map((c) => m.clients.find((x) => x.name === c.client)?.label ?? c.client).join(', ')}.</p>`;
}

/** `options.history`: the stored runs (newest first) whose verdicts for this case the page lists at its end. */
export function casePage(m: Matrix, row: Row, options: { history?: HistoryRun[] } = {}): string {
  const f = row.fixture;
  const body = html`<main class="case-page">
    ${topNav('../', m.rawResults)}
    <h1>${f.id}: ${f.title}</h1>
    <p>${f.description}</p>
    <ul class="about note">
      <li>Group: ${f.group}. Fixture file: <span class="mono">${f.file}</span>${f.family ? ` (one variant of the family ${f.family})` : ''}.</li>
      <li>Client action: navigate to <span class="mono">${(f.client.urls ?? [f.client.url]).join(', then ')}</span>${f.client.credentials ? ' with proxy credentials' : ''}, bounded at ${f.client.timeoutMs} ms.</li>
      ${f.consequence ? html`<li>Consequence matrix: ${f.consequence.header} in ${f.consequence.shapeTitle}; source: ${f.consequence.source}.</li>` : null}
      ${f.control ? html`<li>Positive control: <a href=${`${f.control}.html`}>${f.control}</a> (where it shows no consequence for a client, this case is unsupported there).</li>` : null}
      ${f.controls ? html`<li>This is the positive control of its class: it shows ${f.controls.consequence}.</li>` : null}
      ${f.dependsOn.length ? html`<li>Depends on ${f.dependsOn.map((d, i) => html`${i ? ', ' : ''}<a href=${`${d}.html`}>${d}</a>`)} (a failure there makes this case's cell say so).</li>` : null}
    </ul>
    <p>${row.cells.filter((c) => c.verdict !== 'not applicable').map((c) => html`<a href=${`#${c.client}`}>${m.clients.find((x) => x.name === c.client)?.label ?? c.client}</a> ${verdictBadge(c.verdict)} `)}</p>
    <p class="note">Each client's section has a reproduce box: <span class="mono">npm run case</span> runs this cell as the suite does; <span class="mono">npm run serve</span> stands the case's proxy and origin up on a fixed port and prints how to point curl, Chromium or Firefox (or your own build) at it, the wire live, and the facts and verdicts on Ctrl-C. This run: ${m.meta.runId} on ${m.meta.os} ${m.meta.arch}, Node ${m.meta.node}, Playwright ${m.meta.playwright}${m.meta.commit ? `, commit ${m.meta.commit}` : ''}.</p>
    <h2>Requirements and acceptable outcomes</h2>
    ${requirementsSection(f)}
    ${history2015Section(f)}
    ${intermittentSection(f)}
    <details><summary>Proxy script (the fixture's bytes and steps)</summary><pre>${JSON.stringify(f.proxy, null, 2)}</pre></details>
    ${row.cells.filter((cell) => cell.verdict !== 'not applicable').map((cell) => evidence(m, f, cell, m.clients.find((c) => c.name === cell.client)?.label ?? cell.client))}
    ${notApplicable(m, row)}
    ${factGlossary(f)}
    ${options.history ? caseHistorySection(f.id, options.history) : null}
  </main>`;
  return page(`${f.id} — connect-conformance`, body, { stylesheet: `../${STYLESHEET_FILE}` });
}
