/**
 * The findings page: repeated sentences grouped with honest counts, a view per client, transports
 * from the one vocabulary, what JUnit means stated, and the severity shown equal to the cell's.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { buildMatrix } from '../harness/report/view-model';
import { findings, findingsOf, groupFindings, transportWords, countFindings, findingsSummary } from '../harness/report/findings';
import { clientAnchor, findingsPage } from '../harness/report/findings-page';
import { JUNIT_SEMANTICS, junitXml } from '../harness/report/junit';
import { readResults } from '../harness/runs/results';
import { loadFixtures } from '../harness/cases/load';
import { projectName, TRANSPORT_NAMES, TRANSPORTS } from '../harness/vocabulary/transports';
import { SEVERITIES } from '../harness/verdicts/severity';
import { hostileRun } from './support/hostile-run';
import { COOKIE_CELLS, MANY_CLIENTS, manyClientsRun, TUNNEL_FAILS } from './support/many-clients-run';

const SNAPSHOT = join(import.meta.dirname, '..', 'reports', 'history', '2026-11-22_chromium-156.0.8078.79_firefox-153.7.0.json');

interface Item {
  severity: string;
  chip: string;
  kind: string;
  requirement: string;
  clients: string[];
  cases: number;
  caseIds: string[];
  html: string;
}

const unescapeHtml = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The finding items of one part of the page, read back from the HTML (what a reader sees). */
function items(pageHtml: string, from: string, to?: string): Item[] {
  const start = pageHtml.indexOf(from);
  expect(start, from).to.be.greaterThan(-1);
  const end = to ? pageHtml.indexOf(to, pageHtml.indexOf('>', start)) : -1;
  const part = pageHtml.slice(start, end < 0 ? undefined : end);
  return part
    .split(/(?=<li class="finding )/)
    .slice(1)
    .map((chunk) => {
      const open = chunk.slice(0, chunk.indexOf('>'));
      const attr = (name: string) => unescapeHtml(new RegExp(` ${name}="([^"]*)"`).exec(open)?.[1] ?? '');
      return {
        severity: attr('data-severity'),
        chip: /<span class="sev sev-[^"]+">([^<]+)<\/span>/.exec(chunk)?.[1] ?? '',
        kind: attr('data-kind'),
        requirement: attr('data-requirement'),
        clients: attr('data-clients').split(' '),
        cases: Number(attr('data-cases')),
        caseIds: attr('data-case-ids').split(' '),
        html: chunk,
      };
    });
}

const allItems = (pageHtml: string) => items(pageHtml, 'id="findings-all"', 'id="per-client"');
const clientItems = (pageHtml: string, client: string) => items(pageHtml, `id="${clientAnchor(client)}"`, 'class="client-findings"');

describe('findings page: repeated sentences grouped', () => {
  const m = buildMatrix(manyClientsRun());
  const pageHtml = findingsPage(m);
  const all = findings(m);

  it('makes one item "in N cases" of a client whose sentence repeats over the consequence cells, listing every case', () => {
    expect(COOKIE_CELLS.length, 'the cookie column of the consequence matrix').to.be.greaterThan(10);
    const cookie = allItems(pageHtml).filter((i) => i.requirement === 'sec-proxy-cookie');
    expect(cookie).to.have.length(1);
    const [item] = cookie;
    expect(item).to.deep.include({ severity: 'security', chip: 'security', clients: ['node-agent'], cases: COOKIE_CELLS.length });
    expect(item!.caseIds).to.have.members(COOKIE_CELLS);
    expect(item!.html).to.contain(`in ${COOKIE_CELLS.length} cases:`);
    expect(unescapeHtml(item!.html)).to.contain("<var>each case's answer shape</var>").and.to.contain("<var>the case's host</var>");
    for (const id of COOKIE_CELLS) expect(item!.html, id).to.contain(`href="cases/${id}.html#node-agent"`);
    // The per-case findings are still there, one per cell, each with its own shape and host filled in.
    const perCase = all.filter((f) => f.requirement === 'sec-proxy-cookie');
    expect(perCase).to.have.length(COOKIE_CELLS.length);
    expect(new Set(perCase.map((f) => f.sentence)).size).to.equal(COOKIE_CELLS.length);
    expect(new Set(perCase.map((f) => f.pattern)).size).to.equal(1);
    expect(perCase[0]!.sentence).to.match(/reached https:\/\/cq-.*-1234abcd\.connect\.test\/ on a later visit/);
  });

  it('groups the same standard-check sentence for the same clients, and keeps other client sets apart', () => {
    const tunnel = allItems(pageHtml).filter((i) => i.requirement === 'resp-2xx-tunnel');
    expect(tunnel.map((i) => [i.clients.join(' '), i.caseIds.join(' ')])).to.deep.equal([
      ['chromium firefox', 'status-204-tunnel status-206-tunnel'],
      ['chromium firefox firefox-list', 'status-201-tunnel'],
    ]);
    expect(tunnel[0]!.html).to.contain('in 2 cases:');
    expect(tunnel[1]!.html).to.not.contain('in 1 cases');
  });

  it('says both the number of findings (after grouping) and of cases, and the items add up to every case finding', () => {
    const counts = countFindings(all);
    const shown = allItems(pageHtml);
    expect(shown).to.have.length(groupFindings(all).length).and.to.have.length(counts.findings);
    expect(shown.reduce((n, i) => n + i.cases, 0))
      .to.equal(all.length)
      .and.to.equal(counts.caseFindings);
    expect(counts.findings).to.be.lessThan(counts.caseFindings);
    expect(pageHtml).to.contain(
      `<b>${counts.findings} findings in ${counts.cases} cases</b> (${counts.caseFindings} case findings: the same sentence`,
    );
    const summary = findingsSummary(m);
    expect(summary.total).to.deep.equal(counts);
    expect(summary.bySeverity.security.findings).to.equal(shown.filter((i) => i.severity === 'security').length);
  });
});

describe('findings page: a view per client', () => {
  const m = buildMatrix(manyClientsRun());
  const pageHtml = findingsPage(m);
  const all = findings(m);

  it('indexes every client with its counts per severity, each linking to its part of the client view', () => {
    for (const name of Object.keys(MANY_CLIENTS)) {
      expect(pageHtml, name).to.contain(`<section id="${clientAnchor(name)}" class="client-findings" data-client="${name}">`);
      expect(pageHtml, name).to.contain(`<tr data-client="${name}">`);
      expect(pageHtml, name).to.contain(`href="#${clientAnchor(name)}"`);
      for (const s of SEVERITIES) {
        const n = countFindings(findingsOf(all, name).filter((f) => f.severity === s)).findings;
        if (n) expect(pageHtml, `${name} ${s}`).to.contain(`<a href="#${clientAnchor(name, s)}">${n}</a>`);
        if (n) expect(pageHtml, `${name} ${s}`).to.contain(`<section id="${clientAnchor(name, s)}" data-severity="${s}">`);
      }
    }
    expect(clientAnchor('node-undici-h1-tls', 'security')).to.equal('client-node-undici-h1-tls-security');
  });

  it("groups a client's own findings over its cases, whoever else shares them", () => {
    const chromium = clientItems(pageHtml, 'chromium');
    const tunnel = chromium.filter((i) => i.requirement === 'resp-2xx-tunnel');
    expect(tunnel).to.have.length(1);
    expect(tunnel[0]).to.deep.include({ clients: ['chromium'], cases: TUNNEL_FAILS.length });
    expect(tunnel[0]!.caseIds).to.have.members(TUNNEL_FAILS);
    const node = clientItems(pageHtml, 'node-agent');
    expect(node.map((i) => [i.requirement, i.cases])).to.deep.equal([['sec-proxy-cookie', COOKIE_CELLS.length]]);
    expect(clientItems(pageHtml, 'chromium-h2')).to.deep.equal([]);
    expect(pageHtml).to.contain('Chromium (HTTPS proxy, h2) 156.0.8078.114: 0 findings in 0 cases');
  });

  it('shows a client view alone while the address names it, with CSS only (no script)', () => {
    expect(pageHtml).to.not.contain('<script');
    expect(pageHtml).to.contain('.client-findings:not(:target):not(:has(:target)) { display: none; }');
  });

  it('sizes the chart from its labels and keeps it within 1000 px', () => {
    const svg = /<svg class="chart"[^>]*width="(\d+)"/.exec(pageHtml);
    expect(Number(svg![1])).to.be.within(400, 1000);
    // The longest label is broken into two lines instead of running under the bars.
    expect(pageHtml).to.contain('>Node undici ProxyAgent (fetch)</text>').and.to.contain('>(HTTPS proxy, http/1.1 only)</text>');
    // Counts are written out whole (no fixed column to be cut off at).
    expect(pageHtml).to.contain('>1 pass · 16 fail · 1 informational</text>');
  });
});

describe('findings: transports from the one vocabulary', () => {
  it("says each transport's label, for every transport a project can have", () => {
    for (const t of TRANSPORT_NAMES)
      expect(transportWords(projectName('firefox', t))).to.match(new RegExp(`^an? ${TRANSPORTS[t].label.replace(/[()]/g, '\\$&')}$`));
    expect(transportWords('chromium')).to.equal('an HTTP/1.1 proxy');
    expect(transportWords('chromium-list')).to.equal('a proxy list (PAC)');
    expect(transportWords('node-undici-h1-tls')).to.equal('an HTTPS proxy, http/1.1 only');
  });

  it('compares browser engines per transport, the list transport included, and never across transports', () => {
    const differ = findings(buildMatrix(manyClientsRun())).filter((f) => f.kind === 'engines differ');
    expect(differ.map((f) => [f.caseId, f.clients.map((c) => c.name).join(' ')])).to.deep.include.members([
      ['status-201-tunnel', 'chromium-list firefox-list'],
    ]);
    for (const f of differ) expect(new Set(f.clients.map((c) => transportWords(c.name))).size, f.sentence).to.equal(1);
  });
});

describe('findings: one severity with the matrix, the case page and JUnit', () => {
  /**
   * Per case × client, the gravest severity the page's items of broken requirements show, read from
   * their evidence links (a[data-case][data-client] inside [data-finding-severity]).
   */
  function shownSeverity(pageHtml: string): Map<string, string> {
    const shown = new Map<string, string>();
    for (const i of allItems(pageHtml)) {
      expect(i.chip, 'the chip says the item severity').to.equal(i.severity);
      const marked = /^<li [^>]*data-finding-severity="([^"]+)"/.exec(i.html)?.[1];
      expect(marked, 'only items of a requirement carry data-finding-severity').to.equal(i.requirement ? i.severity : undefined);
      if (!marked) continue;
      const links = [...i.html.matchAll(/<a [^>]*data-case="([^"]+)" data-client="([^"]+)"/g)].map((x) => `${x[1]} ${x[2]}`);
      expect(links).to.have.members(i.caseIds.flatMap((id) => i.clients.map((c) => `${id} ${c}`)));
      for (const key of links) {
        const was = shown.get(key);
        if (!was || SEVERITIES.indexOf(marked as never) < SEVERITIES.indexOf(was as never)) shown.set(key, marked);
      }
    }
    return shown;
  }

  for (const [name, current] of [
    ['with the fixtures stored in it', false],
    ['with the current fixtures (cut-off heads are security findings)', true],
  ] as const)
    it(`shows, for every cell of the committed history snapshot ${name}, the cell's own severity`, () => {
      const run = readResults(SNAPSHOT);
      if (current) run.fixtures = loadFixtures();
      const m = buildMatrix(run);
      const pageHtml = findingsPage(m);
      const shown = shownSeverity(pageHtml);
      let cells = 0;
      let withSeverity = 0;
      const disagree: string[] = [];
      for (const row of m.groups.flatMap((g) => g.rows))
        for (const cell of row.cells) {
          cells++;
          if (cell.severity) withSeverity++;
          const key = `${row.fixture.id} ${cell.client}`;
          if ((shown.get(key) ?? 'none') !== (cell.severity ?? 'none'))
            disagree.push(`${key}: findings ${shown.get(key) ?? 'none'}, cell ${cell.severity ?? 'none'} (${cell.verdict})`);
        }
      expect(disagree).to.deep.equal([]);
      expect(cells).to.be.greaterThan(100);
      expect(withSeverity, 'the snapshot has cells with a severity').to.be.greaterThan(5);
      if (current) {
        expect(shown.get('fault-close-mid-headers firefox')).to.equal('security');
        const cell = m.groups
          .flatMap((g) => g.rows)
          .find((r) => r.fixture.id === 'fault-close-mid-headers')!
          .cells.find((c) => c.client === 'firefox')!;
        expect(cell).to.deep.include({ verdict: 'fail', severity: 'security' });
      }
    });

  it('gives a cell whose dependency failed no severity anywhere (it is reported through the dependency)', () => {
    const run = hostileRun();
    const dependent = loadFixtures().find((f) => f.id === 'status-200-content-length')!;
    const baseline = run.results.find((r) => r.caseId === 'baseline-200')!;
    baseline.record!.navigation!.originMarkerFound = false; // the plain 200 fails, and so would its dependent on its own
    run.fixtures.push(dependent);
    run.results.push({ ...structuredClone(baseline), caseId: dependent.id });
    const m = buildMatrix(run);
    const cell = m.groups
      .flatMap((g) => g.rows)
      .find((r) => r.fixture.id === dependent.id)!
      .cells.find((c) => c.client === 'chromium')!;
    expect(cell).to.deep.include({ verdict: 'dependency failed', ownVerdict: 'fail' });
    expect(cell.severity).to.equal(undefined);
    expect(findings(m).filter((f) => f.caseId === dependent.id && f.requirement)).to.deep.equal([]);
    expect(junitXml(run)).to.match(/name="status-200-content-length"[\s\S]*?name="severity" value="none"/);
  });
});

describe('JUnit semantics, said once', () => {
  it('is on the findings page, linking junit.xml, and a property of every testsuite', () => {
    const m = buildMatrix(manyClientsRun());
    const pageHtml = findingsPage(m, 'runs/x/');
    expect(unescapeHtml(pageHtml)).to.contain(JUNIT_SEMANTICS);
    expect(pageHtml).to.contain('id="junit-semantics"').and.to.contain('href="runs/x/junit.xml"');
    const xml = junitXml(hostileRun());
    const suites = xml.match(/<testsuite /g)!.length;
    expect(suites).to.be.greaterThan(0);
    expect(xml.match(/<property name="junit-semantics" value="A JUnit &lt;failure> means/g)).to.have.length(suites);
    expect(JUNIT_SEMANTICS)
      .to.match(/<failure>.*expectations/)
      .and.to.match(/<error>.*harness error/)
      .and.to.match(/<skipped>/);
  });
});
