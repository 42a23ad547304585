import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { hostileRun } from './support/hostile-run';
import { writeReport } from '../harness/report/write-report';
import { buildMatrix } from '../harness/report/view-model';
import { compareRuns } from '../harness/report/compare';
import {
  caseHistorySection,
  changesSection,
  compareIndexes,
  previousRun,
  VERDICTS_FILE,
  verdictIndex,
  type VerdictIndex,
} from '../harness/report/changes';
import { render } from 'preact-render-to-string';
import type { RunResults } from '../harness/runs/results';

const OLD = '2026-01-01_00-00-00';
const NEW = '2026-01-02_00-00-00';
const noExpectations = () => undefined;

/**
 * Two runs of the same two fixtures in chromium and firefox. From the older to the newer:
 * status-403-held-open in chromium goes pass → fail (the 403 page "loaded"), baseline-200 in
 * chromium goes fail → pass, and status-403-held-open in firefox keeps its verdict with another
 * error code (facts changed).
 */
function syntheticRun(id: string, which: 'old' | 'new'): RunResults {
  const run = hostileRun();
  run.run.id = id;
  run.run.startedAt = `${id.slice(0, 10)}T00:00:00.000Z`;
  run.run.commit = which === 'old' ? 'aaaaaaa' : 'bbbbbbb';
  run.clients.chromium!.version = which === 'old' ? '150.0' : '151.0';
  const [r403, , rBaseline] = run.results;
  const chromiumRecord = r403!.record!;
  const firefoxRecord = structuredClone(chromiumRecord);
  firefoxRecord.client = { ...firefoxRecord.client, name: 'firefox', label: 'Firefox' };
  firefoxRecord.navigation!.failure = {
    by: 'automation',
    message: which === 'old' ? 'page.goto: NS_ERROR_PROXY_CONNECTION_REFUSED' : 'page.goto: NS_ERROR_NET_RESET',
  };
  run.results[1] = { caseId: r403!.caseId, client: 'firefox', status: 'observed', durationMs: 100, record: firefoxRecord };
  if (which === 'new') chromiumRecord.navigation!.originMarkerFound = true; // the 403 "loaded": fail
  if (which === 'old') rBaseline!.record!.navigation!.originMarkerFound = false; // the plain 200 did not load: fail
  return run;
}

function indexOf(run: RunResults): VerdictIndex {
  return verdictIndex(run, buildMatrix(run, noExpectations));
}

/** A reports folder (as CC_REPORTS_DIR) with stored runs under runs/<id>/. */
function reportsDir(): string {
  return mkdtempSync(join(tmpdir(), 'cc-changes-'));
}

function store(dir: string, run: RunResults): string {
  const runDir = join(dir, 'runs', run.run.id);
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, 'results.json');
  writeFileSync(path, JSON.stringify(run));
  return path;
}

function report(dir: string, run: RunResults, against?: string) {
  return writeReport(run, store(dir, run), { topDir: dir, expectations: noExpectations, ...(against ? { against } : {}) });
}

describe('changed since the last run', () => {
  it('classifies the cells with compare.ts: regressed, improved, changed (with the facts that moved); cells not run are left out', () => {
    const older = syntheticRun(OLD, 'old');
    const newer = syntheticRun(NEW, 'new');
    const diffs = compareIndexes(indexOf(older), indexOf(newer));
    const byKey = Object.fromEntries(diffs.map((d) => [`${d.caseId}/${d.client}`, d.transition]));
    expect(byKey).to.deep.equal({
      'status-403-held-open/chromium': 'regressed',
      'baseline-200/chromium': 'improved',
      'status-403-held-open/firefox': 'changed',
    }); // baseline-200 did not run in firefox: no verdict, not in the index
    // The same classification as npm run compare on the raw results.
    const raw = Object.fromEntries(compareRuns(older, newer).map((d) => [`${d.caseId}/${d.client}`, d.transition]));
    expect(raw).to.deep.equal({ ...byKey, 'baseline-200/firefox': 'unchanged' });
    const changed = diffs.find((d) => d.transition === 'changed')!;
    expect(changed.before!.verdict).to.equal(changed.after!.verdict);
    expect(changed.what).to.have.length(1);
    expect(changed.what[0]).to.match(/^error: .*PROXY_CONNECTION_REFUSED.* → .*NET_RESET/);
    const regressed = diffs.find((d) => d.transition === 'regressed')!;
    expect([regressed.before!.verdict, regressed.after!.verdict]).to.deep.equal(['pass', 'fail']);
    expect(regressed.what.join(' ')).to.contain('page:');
    expect(regressed.before!.version).to.equal('150.0');
    expect(regressed.after!.version).to.equal('151.0');
  });

  it('with no earlier run but a history snapshot (a fresh clone), compares with the newest snapshot, on the index and in the case history', () => {
    const dir = reportsDir();
    mkdirSync(join(dir, 'history'));
    writeFileSync(join(dir, 'history', '2025-12-01_old.json'), JSON.stringify(syntheticRun('2025-12-01_00-00-00', 'new')));
    writeFileSync(join(dir, 'history', '2026-01-01_newer.json'), JSON.stringify(syntheticRun(OLD, 'old')));
    const written = report(dir, syntheticRun(NEW, 'new'));
    expect(written.changes.against?.kind).to.equal('snapshot');
    expect(written.changes.against?.run.id, 'the newest snapshot').to.equal(OLD);
    expect(written.changes.diffs.map((d) => d.transition)).to.include('improved');
    expect(readFileSync(written.index, 'utf8')).to.not.contain('No earlier run to compare with');
    expect(written.history.map((h) => h.index.run.id)).to.deep.equal([NEW, OLD, '2025-12-01_00-00-00']);
  });

  it('says so when there is no earlier run, and writes the verdict index beside the results', () => {
    const dir = reportsDir();
    const written = report(dir, syntheticRun(OLD, 'old'));
    expect(written.changes.against).to.equal(undefined);
    expect(previousRun(join(dir, 'runs', OLD))).to.equal(undefined);
    const index = readFileSync(written.index, 'utf8');
    expect(index).to.contain('Changed since the last run').and.to.contain('No earlier run to compare with');
    const verdicts = JSON.parse(readFileSync(join(dir, 'runs', OLD, VERDICTS_FILE), 'utf8')) as VerdictIndex;
    expect(verdicts.run).to.deep.include({ id: OLD, commit: 'aaaaaaa' });
    expect(verdicts.clients.chromium!.version).to.equal('150.0');
    expect(verdicts.cases['baseline-200']!.chromium!.verdict).to.equal('fail');
    expect(verdicts.cases['baseline-200']!.chromium!.facts).to.have.property('page');
    expect(render(changesSection([], '', undefined))).to.contain('No earlier run');
  });

  it('lists regressed, improved and changed cells on the index with links, against the previous stored run', () => {
    const dir = reportsDir();
    report(dir, syntheticRun(OLD, 'old'));
    const written = report(dir, syntheticRun(NEW, 'new'));
    expect(previousRun(join(dir, 'runs', NEW))).to.equal(join(dir, 'runs', OLD, 'results.json'));
    expect(written.changes.against).to.deep.include({ kind: 'previous run' });
    expect(written.changes.against!.run).to.deep.include({ id: OLD, commit: 'aaaaaaa' });

    const top = readFileSync(written.index, 'utf8');
    const section = top.slice(top.indexOf('id="changes"'), top.indexOf('</section>', top.indexOf('id="changes"')));
    expect(section).to.contain(OLD).and.to.contain('commit aaaaaaa').and.to.contain('chromium 150.0 → 151.0');
    expect(section).to.contain('1 regressed').and.to.contain('1 improved').and.to.contain('1 changed');
    expect(section).to.contain(`href="runs/${NEW}/cases/status-403-held-open.html#chromium"`);
    expect(section).to.contain(`href="runs/${NEW}/cases/baseline-200.html#chromium"`);
    expect(section).to.contain(`href="runs/${NEW}/cases/status-403-held-open.html#firefox"`);
    expect(section).to.contain('0 added').and.to.contain('0 removed').and.to.contain('0 unchanged');
    expect(section).to.match(/NS_ERROR_PROXY_CONNECTION_REFUSED.*→.*NS_ERROR_NET_RESET/);
    expect(section).to.not.contain('<script>window.__pwned');
    // The run's own index links relative to the run folder.
    expect(readFileSync(written.runIndex, 'utf8')).to.contain('href="cases/status-403-held-open.html#chromium"');
  });

  it("lists a case's verdicts across the stored runs on its case page, newest first", () => {
    const dir = reportsDir();
    report(dir, syntheticRun(OLD, 'old'));
    const written = report(dir, syntheticRun(NEW, 'new'));
    expect(written.history.map((h) => h.index.run.id)).to.deep.equal([NEW, OLD]);
    const page = readFileSync(join(dir, 'runs', NEW, 'cases', 'baseline-200.html'), 'utf8');
    const section = page.slice(page.indexOf('id="history"'));
    expect(section).to.contain('Verdicts across stored runs');
    expect(section.indexOf(NEW)).to.be.lessThan(section.indexOf(OLD));
    expect(section).to.contain(`href="../../${OLD}/cases/baseline-200.html"`);
    const chips = [...section.matchAll(/class="v v-([a-z-]+)"/g)].map((m) => m[1]);
    expect(chips).to.deep.equal(['pass', 'fail']); // firefox never ran baseline-200: no column
    // Same verdict, other facts: marked.
    const firefoxPage = readFileSync(join(dir, 'runs', NEW, 'cases', 'status-403-held-open.html'), 'utf8');
    expect(firefoxPage.slice(firefoxPage.indexOf('id="history"'))).to.contain('facts changed');
    // A run alone has no earlier row.
    expect(render(caseHistorySection('baseline-200', written.history.slice(0, 1)))).to.contain('No earlier stored run has this case');
  });

  it('computes a missing verdict index once, passes over an unreadable run and leaves shards out', () => {
    const dir = reportsDir();
    report(dir, syntheticRun(OLD, 'old'));
    rmSync(join(dir, 'runs', OLD, VERDICTS_FILE));
    const broken = join(dir, 'runs', '2026-01-01_12-00-00');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'results.json'), '{ not json');
    const shard = syntheticRun('2026-01-01_18-00-00_shard-1-of-2', 'new');
    store(dir, shard);
    const written = report(dir, syntheticRun(NEW, 'new'));
    expect(existsSync(join(dir, 'runs', OLD, VERDICTS_FILE))).to.equal(true);
    expect(written.changes.against!.run.id).to.equal(OLD);
    expect(written.changes.notes.join(' ')).to.contain('2026-01-01_12-00-00 passed over');
    expect(readFileSync(written.index, 'utf8')).to.contain('2026-01-01_12-00-00 passed over');
    expect(written.history.map((h) => h.index.run.id)).to.deep.equal([NEW, OLD]);
  });

  it('compares with a history snapshot given as against, and refuses a path that is not there', () => {
    const dir = reportsDir();
    mkdirSync(join(dir, 'history'), { recursive: true });
    const snapshot = join(dir, 'history', '2026-01-01_chromium-150.0.json');
    writeFileSync(snapshot, JSON.stringify(syntheticRun(OLD, 'old')));
    const written = report(dir, syntheticRun(NEW, 'new'), snapshot);
    expect(written.changes.against).to.deep.include({ kind: 'snapshot' });
    expect(written.changes.diffs.filter((d) => d.transition === 'regressed')).to.have.length(1);
    expect(readFileSync(written.index, 'utf8')).to.contain('Compared with snapshot').and.to.contain('2026-01-01_chromium-150.0.json');
    expect(existsSync(join(dir, 'history', VERDICTS_FILE))).to.equal(false); // nothing written beside a snapshot
    // A run folder works too.
    const other = reportsDir();
    const runPath = store(other, syntheticRun(OLD, 'old'));
    expect(report(dir, syntheticRun(NEW, 'new'), join(other, 'runs', OLD)).changes.against).to.deep.include({ kind: 'run', path: runPath });
    expect(() => report(dir, syntheticRun(NEW, 'new'), join(dir, 'nothing-here.json'))).to.throw(/--against .*no such file/);
  });
});
