/**
 * The consequence matrix: its facts from stored typed evidence (each able to fail), the matrix
 * file's expansion into stable case ids, and the positive-control rule that turns an unseeable pass
 * into "unsupported".
 */
import { answerCookiesBack, EVERY_ANSWER_COOKIE, loadedNavigation } from './support/many-clients-run';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseRecord, NavigationRecord } from '../harness/evidence/record';
import type { ConnectionTrace } from '../harness/evidence/events';
import type { RequestHead } from '../harness/wire/http-head';
import { computeFacts } from '../harness/observe/facts';
import { FIXTURES_DIR, loadFixtures, parseFixtureFile, type FixtureError } from '../harness/cases/load';
import { uncontrolledBecause } from '../harness/verdicts/controls';

const HOST = 'cq-case-00000000.connect.test';

function head(method: string, target: string, headers: [string, string][] = []): RequestHead {
  return {
    method,
    target,
    version: 'HTTP/1.1',
    headers: headers.map(([name, value]) => ({ name, value })),
    bareLf: false,
    length: 0,
    malformedLines: [],
  };
}

/** One connection per request, at the given times. */
function conns(requests: { t: number; head: RequestHead }[]): ConnectionTrace[] {
  return requests.map((r, i) => ({
    id: i + 1,
    index: i + 1,
    clientPort: 40000 + i,
    openedAt: r.t,
    protocol: 'h1',
    requests: [{ t: r.t, head: r.head, raw: '' }],
    earlyBytes: '',
    events: [],
  }));
}

function nav(url: string, finalUrl = url, extra: Partial<NavigationRecord> = {}): NavigationRecord {
  return loadedNavigation(url, { finalUrl, ...extra });
}

function record(p: Partial<CaseRecord> & { visits: NavigationRecord[] }): CaseRecord {
  return {
    caseId: 'cq-case',
    fixtureFile: 'fixtures/consequences/consequences.json',
    host: HOST,
    marker: 'origin-marker-x',
    client: { name: 'chromium', label: 'Chromium', version: '1', executablePath: '/x' },
    startedAt: '2026-12-02T00:00:00Z',
    navigation: p.visits[p.visits.length - 1]!,
    connections: [],
    origin: [],
    harness: { contextClosedAt: 10_000, settledAt: 9_000, durationMs: 10_000, notes: [], strays: [] },
    ...p,
  };
}

const originRequest = (t: number, path: string, headers: [string, string][] = [], scheme: 'http' | 'https' = 'https') => ({
  t,
  scheme,
  kind: 'request' as const,
  method: 'GET',
  target: path,
  version: 'HTTP/1.1',
  host: HOST,
  path,
  headers: headers.map(([name, value]) => ({ name, value })),
});

describe('consequence facts (from stored typed evidence)', () => {
  it('answer-cookies: a cookie the answer set, seen on a later request at the origin or in document.cookie', () => {
    const clean = record({
      visits: [nav(`https://${HOST}/cc-answer`), nav(`https://${HOST}/`, undefined, { cookies: 'other=1' })],
      origin: [originRequest(10, '/cc-answer'), originRequest(600, '/', [['Cookie', 'other=1']])],
    });
    expect(computeFacts(clean)['answer-cookies']).to.equal('none');
    const leaked = record({
      ...clean,
      visits: clean.visits!,
      origin: [originRequest(10, '/cc-answer'), originRequest(600, '/', [['Cookie', `cc_answer_host=${HOST}; other=1`]])],
    });
    expect(computeFacts(leaked)['answer-cookies']).to.equal('cc_answer_host');
    const inPage = record({
      visits: [nav(`https://${HOST}/cc-answer`), nav(`https://${HOST}/`, undefined, { cookies: `__Host-cc_answer=${HOST}` })],
    });
    expect(computeFacts(inPage)['answer-cookies']).to.equal('__Host-cc_answer');
    // Another case's answer cookie (Domain=connect.test in a jar shared across cases) is not this case's doing.
    const other = record({
      visits: [
        nav(`https://${HOST}/cc-answer`),
        nav(`https://${HOST}/`, undefined, { cookies: 'cc_answer_parent=cq-other-1.connect.test' }),
      ],
      origin: [originRequest(600, '/', [['Cookie', 'cc_answer_parent=cq-other-1.connect.test']])],
    });
    expect(computeFacts(other)['answer-cookies']).to.equal('none');
    expect(computeFacts(other)['origin-cookies']).to.equal('none');
    expect(computeFacts(other)['page-cookies']).to.equal('none');
  });

  it('redirect-followed: a same-host redirect on visit 1 of 2 counts, not only another host on the last visit', () => {
    const stayed = record({
      visitStarts: [0, 500],
      visits: [nav(`https://${HOST}/cc-answer`), nav(`https://${HOST}/`)],
      origin: [originRequest(10, '/cc-answer'), originRequest(600, '/')],
    });
    expect(computeFacts(stayed)['redirect-followed']).to.equal('no');
    const moved = record({
      ...stayed,
      visits: [nav(`https://${HOST}/cc-answer`, `https://${HOST}/cc-moved`), nav(`https://${HOST}/`)],
    });
    expect(computeFacts(moved)['redirect-followed']).to.equal('yes');
    expect(computeFacts(moved)['visit-urls']).to.equal('https://{host}/cc-moved | https://{host}/');
    // The page read came too early to see it, but the origin saw the navigation to the proxy's path.
    const seenAtOrigin = record({
      ...stayed,
      visits: stayed.visits!,
      origin: [originRequest(10, '/cc-answer'), originRequest(40, '/cc-moved', [['Sec-Fetch-Mode', 'navigate']]), originRequest(600, '/')],
    });
    expect(computeFacts(seenAtOrigin)['redirect-followed']).to.equal('yes');
    // A subresource for another path is no navigation.
    const subresource = record({
      ...stayed,
      visits: stayed.visits!,
      origin: [originRequest(10, '/cc-answer'), originRequest(40, '/cc-preload.css', [['Sec-Fetch-Mode', 'no-cors']])],
    });
    expect(computeFacts(subresource)['redirect-followed']).to.equal('no');
  });

  it('http-visit: "upgraded to https" only from the visit\'s own request reaching the origin over TLS', () => {
    const visits = [nav(`https://${HOST}/cc-answer`), nav(`http://${HOST}/`)];
    const upgraded = record({
      visitStarts: [0, 500],
      visits,
      connections: conns([
        { t: 5, head: head('CONNECT', `${HOST}:443`) },
        { t: 510, head: head('CONNECT', `${HOST}:443`) },
      ]),
      origin: [originRequest(10, '/cc-answer'), originRequest(520, '/')],
    });
    expect(computeFacts(upgraded)['http-visit']).to.equal('upgraded to https');
    // Issue 31: a :443 CONNECT in the visit's window and no :80 request, but nothing of the visit
    // reached the origin (a late retry of visit 1, a visit 2 that sent nothing): no upgrade is seen.
    const retryOnly = record({
      visitStarts: [0, 500],
      visits,
      connections: conns([
        { t: 5, head: head('CONNECT', `${HOST}:443`) },
        { t: 510, head: head('CONNECT', `${HOST}:443`) },
      ]),
      origin: [originRequest(10, '/cc-answer'), originRequest(520, '/cc-answer')],
    });
    expect(computeFacts(retryOnly)['http-visit']).to.equal('no request');
    const plain = record({
      visitStarts: [0, 500],
      visits,
      connections: conns([
        { t: 5, head: head('CONNECT', `${HOST}:443`) },
        { t: 510, head: head('GET', `http://${HOST}/`) },
      ]),
    });
    expect(computeFacts(plain)['http-visit']).to.equal('sent as http');
    expect(computeFacts(plain).authorities).to.equal('{host}:443, {host}:80');
    const plainAtOrigin = record({
      visitStarts: [0, 500],
      visits,
      connections: conns([{ t: 5, head: head('CONNECT', `${HOST}:443`) }]),
      origin: [originRequest(10, '/cc-answer'), originRequest(520, '/', [], 'http')],
    });
    expect(computeFacts(plainAtOrigin)['http-visit']).to.equal('sent as http');
  });

  it('alt-svc-used: a CONNECT to the advertised alternative (alt.{host} or another port of the host)', () => {
    const visits = [nav(`https://${HOST}/cc-answer`), nav(`https://${HOST}/`)];
    const unused = record({ visits, connections: conns([{ t: 5, head: head('CONNECT', `${HOST}:443`) }]) });
    expect(computeFacts(unused)['alt-svc-used']).to.equal('no');
    const used = record({
      visits,
      connections: conns([
        { t: 5, head: head('CONNECT', `${HOST}:443`) },
        { t: 510, head: head('CONNECT', `alt.${HOST}:443`) },
      ]),
    });
    expect(computeFacts(used)['alt-svc-used']).to.equal('yes');
    const port = record({ visits, connections: conns([{ t: 510, head: head('CONNECT', `${HOST}:8443`) }]) });
    expect(computeFacts(port)['alt-svc-used']).to.equal('yes');
  });

  it("origin-state: the origin's own cookie and storage item kept or cleared by the last visit", () => {
    const set = nav(`https://${HOST}/cc-set`, undefined, { cookies: 'cc_origin=kept', storage: ['cc_origin'] });
    const answer = nav(`https://${HOST}/cc-answer`, undefined, { cookies: 'cc_origin=kept', storage: ['cc_origin'] });
    const kept = record({
      visits: [set, answer, nav(`https://${HOST}/`, undefined, { cookies: 'cc_origin=kept', storage: ['cc_origin'] })],
    });
    expect(computeFacts(kept)['origin-state']).to.equal('kept');
    const cleared = record({ visits: [set, answer, nav(`https://${HOST}/`, undefined, { cookies: '', storage: [] })] });
    expect(computeFacts(cleared)['origin-state']).to.equal('both cleared');
    const cookieOnly = record({ visits: [set, answer, nav(`https://${HOST}/`, undefined, { cookies: '', storage: ['cc_origin'] })] });
    expect(computeFacts(cookieOnly)['origin-state']).to.equal('cookie cleared');
    const never = record({ visits: [nav(`https://${HOST}/cc-set`, undefined, { cookies: '', storage: [] })] });
    expect(computeFacts(never)['origin-state']).to.equal('never set');
    // An error page on the last visit reads an empty document.cookie whatever the origin kept.
    const errorPage = record({
      visits: [
        set,
        answer,
        nav(`https://${HOST}/`, 'chrome-error://chromewebdata/', { cookies: '', storage: [], originMarkerFound: false }),
      ],
    });
    expect(computeFacts(errorPage)['origin-state']).to.equal('not read');
  });
});

describe('the consequence matrix file', () => {
  const all = loadFixtures();
  const matrix = all.filter((f) => f.family === 'consequences');

  it('expands headers × shapes into stable case ids, each with its control, requirement and source', () => {
    const file = JSON.parse(readFileSync(join(FIXTURES_DIR, 'consequences', 'consequences.json'), 'utf8'));
    const headers = file.matrix.headers.map((h: { id: string }) => h.id);
    const shapes = file.matrix.shapes.map((s: { id: string }) => s.id);
    const cells = matrix.filter((f) => f.consequence);
    expect(cells.length).to.equal(headers.length * shapes.length);
    expect(cells.length).to.be.at.least(60);
    expect(cells.map((f) => f.id)).to.include.members(['cq-200-cookie', 'cq-cut-fin-location-path', 'cq-407-credentials-clear-site-data']);
    for (const f of cells) {
      expect(
        all.some((c) => c.id === f.control && c.controls),
        `${f.id}: control ${f.control}`,
      ).to.equal(true);
      expect(f.requirements.length).to.equal(1);
      expect(f.consequence!.source).to.not.equal('');
    }
    // Shapes with no HTTP/2 form say why, in the case's description.
    const cut = all.find((f) => f.id === 'cq-cut-fin-cookie')!;
    expect(cut.transports).to.deep.equal(['h1', 'h1-tls']);
    expect(cut.description).to.match(/no HTTP\/2 form/);
    expect(all.find((f) => f.id === 'cq-302-hsts')!.transports).to.include('h2');
  });

  it('answers the header on the visit it names, and gives every other request a working tunnel', () => {
    const csd = all.find((f) => f.id === 'cq-403-clear-site-data')!;
    expect(csd.client.visits).to.equal(3);
    expect(csd.proxy.exchanges[0]!.when?.visit).to.equal(2);
    expect(csd.proxy.exchanges.at(-1)!.steps.map((s) => s.do)).to.deep.equal(['send', 'tunnel']);
  });

  it("carries a cell's intermittent declaration to that cell, and names an intermittent key that is no cell", () => {
    expect(all.find((f) => f.id === 'cq-cut-fin-refresh')!.intermittent?.firefox?.['redirect-followed']).to.deep.equal(['yes', 'no']);
    expect(all.find((f) => f.id === 'cq-cut-rst-refresh')!.intermittent).to.equal(undefined);
    const file = JSON.parse(readFileSync(join(FIXTURES_DIR, 'consequences', 'consequences.json'), 'utf8'));
    file.matrix.intermittent = { 'cq-no-such-cell': { firefox: { page: ['loaded', 'error page'], why: 'x'.repeat(40) } } };
    try {
      parseFixtureFile('fixtures/consequences/consequences.json', JSON.stringify(file));
      throw new Error('accepted');
    } catch (e) {
      expect((e as FixtureError).problems.map((p) => p.field)).to.include('matrix.intermittent.cq-no-such-cell');
    }
  });

  it('names the file and the field of a bad matrix', () => {
    const bad = { id: 'm', matrix: { prefix: 'm', group: 'consequences', description: 'x', headers: [], shapes: [] } };
    try {
      parseFixtureFile('fixtures/x/m.json', JSON.stringify(bad));
      throw new Error('accepted');
    } catch (e) {
      expect((e as FixtureError).file).to.equal('fixtures/x/m.json');
      expect((e as FixtureError).problems.map((p) => p.field)).to.include('matrix.headers');
    }
  });
});

describe('positive controls', () => {
  const fixture = { control: 'cq-control-cookie' };
  const control = { controls: { shows: { 'answer-cookies': 'cc_answer_host' }, consequence: 'cookies came back' } };

  it('keeps a pass only where the control showed the consequence in the same client', () => {
    expect(uncontrolledBecause(fixture, 'pass', control, { facts: { 'answer-cookies': 'cc_answer_host' } })).to.equal(undefined);
    expect(uncontrolledBecause(fixture, 'pass', control, { facts: { 'answer-cookies': 'none' } })).to.match(/did not show the consequence/);
    expect(uncontrolledBecause(fixture, 'informational', control, undefined)).to.match(/no observation/);
  });

  it('a fail without a working control is no finding: the cell is blind there and says why', () => {
    expect(uncontrolledBecause(fixture, 'fail', control, { facts: { 'answer-cookies': 'none' } })).to.match(/blind here/);
    expect(uncontrolledBecause(fixture, 'fail', control, { facts: { 'answer-cookies': 'cc_answer_host' } })).to.equal(undefined);
  });
});

describe('one severity everywhere', () => {
  it('the matrix, findings, errors-and-security page, case pages and JUnit agree on every cell', async () => {
    const { hostileRun } = await import('./support/hostile-run');
    const { buildMatrix } = await import('../harness/report/view-model');
    const { matrixPage } = await import('../harness/report/matrix-page');
    const { findings } = await import('../harness/report/findings');
    const { summaryPage } = await import('../harness/report/summary-page');
    const { casePage } = await import('../harness/report/case-page');
    const { junitXml } = await import('../harness/report/junit');
    const run = hostileRun();
    const fixtures = loadFixtures();
    const baseline = run.results.find((r) => r.caseId === 'baseline-200' && r.client === 'chromium')!;
    const add = (id: string, client: string, tweak: (rec: CaseRecord) => void) => {
      if (!run.fixtures.some((f) => f.id === id)) run.fixtures.push(fixtures.find((f) => f.id === id)!);
      const r = structuredClone(baseline);
      r.caseId = id;
      r.client = client;
      tweak(r.record!);
      run.results.push(r);
    };
    // A proxy's cookie came back in Chromium (a security finding); Firefox saw none, but its control
    // showed nothing either (blind, no finding); Chromium's control showed the origin's cookies of every kind.
    add('cq-cut-fin-cookie', 'chromium', answerCookiesBack('cc_answer_host'));
    add('cq-control-cookie', 'chromium', answerCookiesBack(...EVERY_ANSWER_COOKIE));
    add('cq-cut-fin-cookie', 'firefox', () => {});
    add('cq-control-cookie', 'firefox', () => {});
    // A cut-off head committed as the page (resp-incomplete-head): security, in Firefox only.
    add('fault-close-mid-headers', 'firefox', (rec) => {
      rec.navigation = { ...rec.navigation!, committed: true, status: 200, originMarkerFound: false };
      rec.origin = [];
    });
    add('fault-close-mid-headers', 'chromium', (rec) => {
      rec.navigation = {
        ...rec.navigation!,
        committed: false,
        failure: { by: 'automation', message: 'net::ERR_EMPTY_RESPONSE' },
        originMarkerFound: false,
      };
    });
    const m = buildMatrix(run);
    const rows = m.groups.flatMap((g) => g.rows);
    const want = new Map<string, string>();
    for (const row of rows)
      for (const cell of row.cells) if (cell.facts) want.set(`${row.fixture.id} ${cell.client}`, cell.severity ?? 'none');
    expect(want.get('cq-cut-fin-cookie chromium')).to.equal('security');
    expect(want.get('cq-cut-fin-cookie firefox')).to.equal('none');
    expect(rows.find((r) => r.fixture.id === 'cq-cut-fin-cookie')!.cells.find((c) => c.client === 'firefox')!.verdict).to.equal('blind');
    expect(want.get('fault-close-mid-headers firefox')).to.equal('security');
    expect(want.get('fault-close-mid-headers chromium')).to.equal('none');

    const disagree: string[] = [];
    const see = (where: string, key: string, severity: string) => {
      if (want.has(key) && want.get(key) !== severity)
        disagree.push(`${where}: ${key} is ${severity}, the matrix model says ${want.get(key)}`);
    };
    const matrixHtml = matrixPage(run, m, '');
    for (const [, id, client, sev] of matrixHtml.matchAll(/data-case="([^"]+)" data-client="([^"]+)"[^>]*data-severity="([^"]+)"/g))
      see('matrix', `${id} ${client}`, sev!);
    const summaryHtml = summaryPage(m);
    for (const [, id, client, sev] of summaryHtml.matchAll(/data-case="([^"]+)" data-client="([^"]+)" data-severity="([^"]+)"/g))
      see('errors-and-security', `${id} ${client}`, sev!);
    for (const row of rows) {
      const page = casePage(m, row);
      for (const [, client, sev] of page.matchAll(/<section id="([^"]+)" data-severity="([^"]+)"/g))
        see('case page', `${row.fixture.id} ${client}`, sev!);
    }
    const xml = junitXml(run);
    for (const [, client, id, body] of xml.matchAll(
      /<testcase classname="connect-conformance\.([^.]+)\.[^"]*" name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g,
    ))
      see('JUnit', `${id} ${client}`, /name="severity" value="([^"]+)"/.exec(body!)?.[1] ?? 'missing');
    const found = findings(m);
    for (const key of want.keys()) {
      const [id, client] = key.split(' ');
      const mine = found.filter((f) => f.caseId === id && f.clients.some((c) => c.name === client) && f.requirement);
      const worst = mine
        .map((f) => f.severity)
        .sort(
          (a, b) => ['security', 'MUST', 'SHOULD', 'informational'].indexOf(a) - ['security', 'MUST', 'SHOULD', 'informational'].indexOf(b),
        )[0];
      see('findings', key, worst ?? 'none');
    }
    expect(disagree).to.deep.equal([]);
    // Each renderer was actually read: the security cells appear in all of them.
    expect(matrixHtml).to.contain('data-case="cq-cut-fin-cookie" data-client="chromium"');
    expect(summaryHtml).to.contain('data-case="fault-close-mid-headers" data-client="firefox" data-severity="security"');
    expect(xml).to.match(/name="fault-close-mid-headers"[\s\S]*?name="severity" value="security"/);
    expect(found.find((f) => f.caseId === 'cq-cut-fin-cookie')!.sentence).to.match(
      /reached https:\/\/.*connect\.test\/ on a later visit.*through an HTTP\/1\.1 proxy/,
    );
  });
});

describe('the coverage page names, per client, whether each consequence class is measured', () => {
  it("measured where the control shows the consequence, blind with the control's facts where not, cannot run with the reason", async () => {
    const { hostileRun } = await import('./support/hostile-run');
    const { buildMatrix } = await import('../harness/report/view-model');
    const { consequenceCoverage, coveragePage } = await import('../harness/report/coverage-page');
    const run = hostileRun();
    const fixtures = loadFixtures();
    const base = run.results.find((r) => r.caseId === 'baseline-200' && r.client === 'chromium')!;
    run.fixtures.push(fixtures.find((f) => f.id === 'cq-control-hsts')!);
    const add = (client: string, tweak: (r: (typeof run.results)[number]) => void) => {
      const r = structuredClone(base);
      r.caseId = 'cq-control-hsts';
      r.client = client;
      tweak(r);
      run.results.push(r);
    };
    const visits = (rec: CaseRecord, scheme: 'http' | 'https') => {
      rec.visits = [nav(`https://${rec.host}/cc-answer`), nav(`http://${rec.host}/`, `https://${rec.host}/`)];
      rec.navigation = rec.visits[1];
      rec.visitStarts = [0, 500];
      rec.origin = [originRequest(10, '/cc-answer'), { ...originRequest(520, '/', [], scheme), host: rec.host }];
      rec.connections = [];
      rec.harness = { ...rec.harness, contextClosedAt: 10_000 };
    };
    add('chromium', (r) => visits(r.record!, 'https'));
    add('firefox', (r) => visits(r.record!, 'http'));
    run.clients.curl = { label: 'curl', available: true, version: '8' };
    add('curl', (r) => {
      r.status = 'skipped';
      delete r.record;
      r.skip = { reason: 'unsupported', detail: 'curl keeps no state between visits' };
    });
    const m = buildMatrix(run);
    const [k] = consequenceCoverage(m);
    expect(k!.control).to.equal('cq-control-hsts');
    expect(k!.clients.find((c) => c.client === 'chromium')!.state).to.equal('measured');
    const firefox = k!.clients.find((c) => c.client === 'firefox')!;
    expect(firefox.state).to.equal('blind');
    expect(firefox.why).to.contain('http-visit: sent as http');
    expect(k!.clients.find((c) => c.client === 'curl')).to.deep.include({
      state: 'cannot run',
      why: 'unsupported: curl keeps no state between visits',
    });
    const pageHtml = coveragePage(m);
    expect(pageHtml).to.contain('id="class-cq-control-hsts"').and.to.contain('curl keeps no state between visits');
  });
});
