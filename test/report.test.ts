import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { validateXML } from 'xmllint-wasm';
import { hostileExpectations, hostileRun } from './support/hostile-run';
import { writeReport } from '../harness/report/write-report';
import { junitXml } from '../harness/report/junit';
import { buildMatrix } from '../harness/report/view-model';
import { coverage } from '../harness/report/coverage-page';
import { REQUIREMENTS } from '../harness/vocabulary/requirements';
import { loadFixtures } from '../harness/cases/load';
import { compareRuns, compareText } from '../harness/report/compare';
import ResultsReporter from '../harness/report/playwright-reporter';
import { findings, groupFindings } from '../harness/report/findings';
import { findingsPage } from '../harness/report/findings-page';
import { readResults } from '../harness/runs/results';

function writeHostile() {
  const dir = mkdtempSync(join(tmpdir(), 'cc-report-'));
  const runDir = join(dir, 'runs', 'hostile');
  mkdirSync(runDir, { recursive: true });
  const run = hostileRun();
  const resultsPath = join(runDir, 'results.json');
  writeFileSync(resultsPath, JSON.stringify(run));
  return { dir, runDir, run, written: writeReport(run, resultsPath, { topDir: dir, expectations: hostileExpectations }) };
}

describe('report rendering', () => {
  it('escapes every hostile string from the wire, the browser and the fixture', () => {
    const { runDir } = writeHostile();
    const pages = [
      join(runDir, 'index.html'),
      join(runDir, 'coverage.html'),
      join(runDir, 'summary.html'),
      join(runDir, 'findings.html'),
      ...readdirSync(join(runDir, 'cases')).map((f) => join(runDir, 'cases', f)),
    ];
    for (const p of pages) {
      const text = readFileSync(p, 'utf8');
      expect(text, p).to.not.contain('<script>window.__pwned');
      expect(text, p).to.not.contain('<img src=x');
      expect(text, p).to.not.contain('\u0000');
      expect(text.match(/<script/g)?.length ?? 0, p).to.be.at.most(1); // the page's own filter script only
    }
    const casePage = readFileSync(join(runDir, 'cases', 'status-403-held-open.html'), 'utf8');
    expect(casePage).to.contain('&lt;script>window.__pwned=1&lt;/script>');
  });

  it("sets a CSP that only allows the page's own script", () => {
    const { runDir } = writeHostile();
    const index = readFileSync(join(runDir, 'index.html'), 'utf8');
    expect(index).to.match(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(readFileSync(join(runDir, 'coverage.html'), 'utf8')).to.contain("script-src 'none'");
  });

  it('has a row for every requirement on the coverage page', () => {
    const { runDir, run } = writeHostile();
    const page = readFileSync(join(runDir, 'coverage.html'), 'utf8');
    for (const r of REQUIREMENTS) expect(page, r.id).to.contain(`id="${r.id}"`);
    expect(coverage(buildMatrix(run)).map((c) => c.requirement.id)).to.deep.equal(REQUIREMENTS.map((r) => r.id));
  });
});

describe('JUnit output', () => {
  it('validates against the common JUnit schema, one testcase per case × client', async () => {
    const xml = junitXml(hostileRun(), hostileExpectations);
    const schema = readFileSync(join(import.meta.dirname, 'support', 'junit.xsd'), 'utf8');
    const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [schema] });
    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(xml.match(/<testcase /g)).to.have.length(4);
  });

  it('reports an expectation mismatch as a failure with expected and observed, a harness error as an error', () => {
    const xml = junitXml(hostileRun(), hostileExpectations);
    expect(xml).to.match(
      /<failure message="observation differs from expectations\/chromium\.json[^"]*page: expected [^"]*observed &quot;error page&quot;" type="ExpectationMismatch"/,
    );
    expect(xml).to.match(/<error message="harness error: boom [^"]*" type="HarnessError"/);
  });
});

describe('dependency-aware verdicts', () => {
  it('says "dependency failed" where baseline-200 failed for that client, and keeps the cell\'s own verdict as evidence', () => {
    const run = hostileRun();
    const dependent = loadFixtures().find((f) => f.id === 'status-200-content-length')!;
    expect(dependent.dependsOn).to.deep.equal(['baseline-200']);
    const baseline = run.results.find((r) => r.caseId === 'baseline-200')!;
    run.fixtures.push(dependent);
    run.results.push({ ...structuredClone(baseline), caseId: dependent.id });
    const cell = (r: typeof run, id: string) =>
      buildMatrix(r)
        .groups.flatMap((g) => g.rows)
        .find((row) => row.fixture.id === id)!
        .cells.find((c) => c.client === 'chromium')!;
    expect(cell(run, dependent.id).verdict).to.equal('pass');
    baseline.record!.navigation!.originMarkerFound = false; // the plain 200 no longer loads: a fail
    expect(cell(run, 'baseline-200').verdict).to.equal('fail');
    const moot = cell(run, dependent.id);
    expect(moot).to.deep.include({
      verdict: 'dependency failed',
      ownVerdict: 'pass',
      failedDependencies: [{ caseId: 'baseline-200', verdict: 'fail' }],
    });
    expect(junitXml(run)).to.contain('name="verdict" value="dependency failed"');
  });
});

describe('run comparison', () => {
  it('classifies regressed, improved, changed, added and removed', () => {
    const a = hostileRun();
    const b = hostileRun();
    b.fixtures = b.fixtures.filter((f) => f.id !== 'baseline-200'); // removed
    b.results = b.results.filter((r) => r.caseId !== 'baseline-200');
    b.results[0]!.record!.navigation!.originMarkerFound = true; // 403 now "loaded": breaks resp-non2xx-no-tunnel
    b.results[1] = {
      ...b.results[0]!,
      client: 'firefox',
      record: { ...a.results[0]!.record!, client: { ...a.results[0]!.record!.client, name: 'firefox' } },
    }; // harness error → observed
    const diffs = compareRuns(a, b);
    const byKey = Object.fromEntries(diffs.map((d) => [`${d.caseId}/${d.client}`, d.transition]));
    expect(byKey).to.deep.equal({
      'status-403-held-open/chromium': 'regressed',
      'status-403-held-open/firefox': 'improved',
      'baseline-200/chromium': 'removed',
      'baseline-200/firefox': 'removed',
    });
    expect(compareText(diffs, a, b))
      .to.contain('REGRESSED')
      .and.to.contain('IMPROVED')
      .and.to.contain('REMOVED');
    expect(compareRuns(b, a).filter((d) => d.transition === 'added')).to.have.length(2);
    expect(compareRuns(a, a).every((d) => d.transition === 'unchanged')).to.equal(true);
  });
});

describe('the results reporter', () => {
  // Fake Playwright objects: just what the reporter reads.
  const project = { name: 'chromium' };
  const testCase = (id: string, repeatEachIndex = 0) =>
    ({ id, title: 'baseline-200', parent: { project: () => project }, retries: 1, annotations: [], repeatEachIndex }) as never;
  const attempt = (retry: number, caseId: string, note: string) =>
    ({
      status: 'passed',
      retry,
      duration: 1,
      errors: [],
      annotations: [],
      attachments: [
        {
          name: 'case-record',
          contentType: 'application/json',
          body: Buffer.from(JSON.stringify({ caseId, connections: [], origin: [], harness: { notes: [note] } })),
        },
      ],
    }) as never;
  const kept = (r: ResultsReporter) =>
    (r as unknown as { results: { harnessError?: string; record?: { harness: { notes: string[] } }; flakyFirstAttempt?: string }[] })
      .results;

  it('keeps every repeat of a case (npm run flake), and only a retry replaces the attempt before it', () => {
    const reporter = new ResultsReporter();
    reporter.onBegin({} as never, { suites: [{ project: () => project }], allTests: () => [] } as never);
    reporter.onTestEnd(testCase('t-r0', 0), attempt(0, 'baseline-200', 'repeat 0'));
    reporter.onTestEnd(testCase('t-r1', 1), attempt(0, 'baseline-200', 'repeat 1'));
    reporter.onTestEnd(testCase('t-r2', 2), attempt(0, 'baseline-200', 'repeat 2, first attempt'));
    reporter.onTestEnd(testCase('t-r2', 2), attempt(1, 'baseline-200', 'repeat 2, retry'));
    expect(kept(reporter).map((r) => r.record?.harness.notes[0])).to.deep.equal(['repeat 0', 'repeat 1', 'repeat 2, retry']);
    expect(kept(reporter).map((r) => !!r.flakyFirstAttempt)).to.deep.equal([false, false, true]);
  });

  it('lists every fail, non-strict and security verdict of a real run on the findings page, with its evidence link', () => {
    const run = readResults(
      join(import.meta.dirname, '..', 'reports', 'history', '2026-11-22_chromium-156.0.8078.79_firefox-153.7.0.json'),
    );
    const m = buildMatrix(run);
    const all = findings(m);
    const pageHtml = findingsPage(m);
    let seen = 0;
    for (const row of m.groups.flatMap((g) => g.rows)) {
      for (const cell of row.cells) {
        if (cell.verdict === 'dependency failed') continue;
        for (const check of cell.checks ?? []) {
          if (check.verdict !== 'fail' && check.verdict !== 'non-strict') continue;
          seen++;
          const where = `${row.fixture.id} [${cell.client}] ${check.requirement}`;
          const f = all.find(
            (x) => x.caseId === row.fixture.id && x.requirement === check.requirement && x.clients.some((c) => c.name === cell.client),
          );
          expect(f, where).to.not.equal(undefined);
          expect(pageHtml, where).to.contain(`href="cases/${row.fixture.id}.html#${cell.client}"`);
        }
      }
    }
    expect(seen, 'the snapshot has failures to find').to.be.greaterThan(5);
    // And the other way round: every finding with a requirement is a failing check of its cell
    // (one severity: nothing becomes a security finding outside the checks).
    for (const f of all.filter((x) => x.requirement)) {
      const row = m.groups.flatMap((g) => g.rows).find((r) => r.fixture.id === f.caseId)!;
      for (const c of f.clients) {
        const check = row.cells.find((x) => x.client === c.name)?.checks?.find((k) => k.requirement === f.requirement);
        expect(['fail', 'non-strict'], `${f.caseId} [${c.name}] ${f.requirement}`).to.include(check?.verdict);
      }
    }
    // One item per sentence and its clients (repeats over cases grouped), adding up to every case finding.
    const allView = pageHtml.slice(pageHtml.indexOf('id="findings-all"'), pageHtml.indexOf('id="per-client"'));
    expect((allView.match(/<li class="finding /g) ?? []).length).to.equal(groupFindings(all).length);
    const cases = [...allView.matchAll(/<li class="finding [^>]* data-cases="(\d+)"/g)].reduce((n, x) => n + Number(x[1]), 0);
    expect(cases).to.equal(all.length);
  });
});

describe('wire log headings count what the wire has', () => {
  it('HTTP/2 streams of one session are streams on one session, not TCP connections', async () => {
    const { wireCount } = await import('../harness/report/case-page');
    const h2 = (id: number, stream: number) => ({ protocol: 'h2', id, h2Stream: stream }) as never;
    const h1 = { protocol: 'h1', id: 9 } as never;
    expect(wireCount([h2(3, 1), h2(3, 3), h2(3, 5), h2(3, 7)])).to.equal('4 streams on 1 HTTP/2 session');
    expect(wireCount([h1, h2(3, 1), h2(4, 1)])).to.equal('1 TCP connection, 2 streams on 2 HTTP/2 sessions');
    expect(wireCount([])).to.equal('0 TCP connections');
  });
});
