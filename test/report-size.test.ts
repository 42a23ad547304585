/**
 * What a run stores and how big it is: raw results gzipped (older plain runs still read), the
 * report's "raw results" link to the file that exists, screenshots as JPEG (WebDriver's PNG kept as
 * PNG), and the size line printed after a run.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { hostileExpectations, hostileRun } from './support/hostile-run';
import { latestResultsPath, readResults, resolveResultsPath, RESULTS_FILE, writeResults } from '../harness/runs/results';
import { writeReport } from '../harness/report/write-report';
import { formatReportSize, reportSize } from '../harness/report/size';
import { pngPath, SCREENSHOT_FILE, screenshotContentType, screenshotOptions } from '../harness/clients/screenshot';
import ResultsReporter from '../harness/report/playwright-reporter';

const scratch = () => mkdtempSync(join(tmpdir(), 'cc-size-'));

describe('raw results storage', () => {
  it('writes results.json.gz that zcat reads, and reads it back by file or by run folder', () => {
    const dir = scratch();
    const run = hostileRun();
    const path = writeResults(dir, run);
    expect(path).to.equal(join(dir, RESULTS_FILE));
    const bytes = readFileSync(path);
    expect([bytes[0], bytes[1]]).to.deep.equal([0x1f, 0x8b]);
    expect(JSON.parse(gunzipSync(bytes).toString('utf8')).format).to.equal(run.format);
    expect(readResults(path)).to.deep.equal(JSON.parse(JSON.stringify(run)));
    expect(readResults(dir).run.id).to.equal(run.run.id);
  });

  it('still reads an older run folder with a plain results.json, and tells gzip by its bytes, not its name', () => {
    const old = scratch();
    const run = hostileRun();
    writeFileSync(join(old, 'results.json'), JSON.stringify(run));
    expect(resolveResultsPath(old)).to.equal(join(old, 'results.json'));
    expect(readResults(old).results).to.have.length(run.results.length);
    const misnamed = scratch();
    const gz = writeResults(misnamed, run);
    writeFileSync(join(misnamed, 'copy.json'), readFileSync(gz));
    expect(readResults(join(misnamed, 'copy.json')).run.id).to.equal(run.run.id);
  });

  it('names a folder without results in its error, and finds the newest run whichever file it has', () => {
    const reports = scratch();
    mkdirSync(join(reports, 'runs', 'empty'), { recursive: true });
    expect(() => readResults(join(reports, 'runs', 'empty'))).to.throw(/empty: no results\.json\.gz or results\.json/);
    expect(latestResultsPath(reports)).to.equal(undefined);
    mkdirSync(join(reports, 'runs', '2026-01-01_00-00-00'));
    writeFileSync(join(reports, 'runs', '2026-01-01_00-00-00', 'results.json'), JSON.stringify(hostileRun()));
    expect(latestResultsPath(reports)).to.equal(join(reports, 'runs', '2026-01-01_00-00-00', 'results.json'));
    mkdirSync(join(reports, 'runs', '2026-01-02_00-00-00'));
    writeResults(join(reports, 'runs', '2026-01-02_00-00-00'), hostileRun());
    expect(latestResultsPath(reports)).to.equal(join(reports, 'runs', '2026-01-02_00-00-00', RESULTS_FILE));
  });

  it("links the report's raw results to the file the run folder holds", () => {
    for (const name of [RESULTS_FILE, 'results.json']) {
      const dir = scratch();
      const runDir = join(dir, 'runs', 'r');
      mkdirSync(runDir, { recursive: true });
      const run = hostileRun();
      const path = name === RESULTS_FILE ? writeResults(runDir, run) : join(runDir, name);
      if (name !== RESULTS_FILE) writeFileSync(path, JSON.stringify(run));
      writeReport(run, path, { topDir: dir, expectations: hostileExpectations });
      expect(readFileSync(join(dir, 'index.html'), 'utf8'), name).to.contain(`href="runs/r/${name}">raw results`);
      // Every page of the run folder with the top navigation (a page added later is checked too).
      const pages = readdirSync(runDir).filter((f) => f.endsWith('.html'));
      expect(pages).to.include.members(['index.html', 'findings.html', 'summary.html', 'coverage.html']);
      for (const page of [...pages, 'cases/baseline-200.html']) {
        const text = readFileSync(join(runDir, page), 'utf8');
        expect(text, `${name} ${page}`).to.contain(`${name}">raw results`);
        expect(text, `${name} ${page}`).to.not.match(
          new RegExp(`href="[^"]*${name === RESULTS_FILE ? 'results\\.json"' : 'results\\.json\\.gz"'}`),
        );
      }
    }
  });
});

describe('screenshots', () => {
  it('asks for JPEG at the chosen quality, and keeps a PNG a client wrote as .png', () => {
    expect(SCREENSHOT_FILE).to.match(/\.jpg$/);
    expect(screenshotOptions('/out/screenshot.jpg')).to.deep.equal({ type: 'jpeg', quality: 50 });
    expect(screenshotOptions('/out/old.png')).to.deep.equal({ type: 'png' });
    expect(screenshotContentType('screenshots/chromium/a.jpg')).to.equal('image/jpeg');
    expect(screenshotContentType('screenshots/chromium/a.png')).to.equal('image/png');
    expect(pngPath('/out/screenshot.jpg')).to.equal('/out/screenshot.png');
    expect(pngPath('/out/screenshot.png')).to.equal('/out/screenshot.png');
    expect(pngPath('/out/screenshot')).to.equal('/out/screenshot.png');
  });

  it("stores a run's screenshot with the extension the client wrote", () => {
    const dir = scratch();
    const shot = join(dir, 'screenshot-1234.jpg');
    writeFileSync(shot, Buffer.from([0xff, 0xd8, 0xff]));
    const reporter = new ResultsReporter();
    reporter.onBegin({} as never, { suites: [{ project: () => ({ name: 'chromium' }) }], allTests: () => [] } as never);
    (reporter as unknown as { runDir: string }).runDir = join(dir, 'run'); // not reports/
    const record = { caseId: 'baseline-200', connections: [], origin: [], harness: { notes: [] } };
    reporter.onTestEnd(
      {
        id: 't',
        title: 'baseline-200',
        parent: { project: () => ({ name: 'chromium' }) },
        retries: 0,
        annotations: [],
        repeatEachIndex: 0,
      } as never,
      {
        status: 'passed',
        retry: 0,
        duration: 1,
        workerIndex: 0,
        errors: [],
        annotations: [],
        attachments: [
          { name: 'case-record', contentType: 'application/json', body: Buffer.from(JSON.stringify(record)) },
          { name: 'screenshot', contentType: 'image/jpeg', path: shot },
        ],
      } as never,
    );
    const kept = (reporter as unknown as { results: { record?: { screenshot?: string } }[] }).results;
    expect(kept[0]!.record!.screenshot).to.equal(join('screenshots', 'chromium', 'baseline-200.jpg'));
    expect(readFileSync(join(dir, 'run', 'screenshots', 'chromium', 'baseline-200.jpg'))).to.have.length(3);
  });
});

describe('report size', () => {
  it('counts each part of a run folder and the total', () => {
    const dir = scratch();
    mkdirSync(join(dir, 'cases'));
    mkdirSync(join(dir, 'screenshots', 'chromium'), { recursive: true });
    writeFileSync(join(dir, RESULTS_FILE), Buffer.alloc(1_100_000));
    writeFileSync(join(dir, 'results.json'), Buffer.alloc(1000)); // an older file beside it: results too
    writeFileSync(join(dir, 'screenshots', 'chromium', 'a.jpg'), Buffer.alloc(600_000));
    writeFileSync(join(dir, 'screenshots', 'chromium', 'b.png'), Buffer.alloc(400_000));
    writeFileSync(join(dir, 'cases', 'x.html'), Buffer.alloc(300_000));
    writeFileSync(join(dir, 'cases', 'y.html'), Buffer.alloc(100_000));
    writeFileSync(join(dir, 'junit.xml'), Buffer.alloc(50_000));
    writeFileSync(join(dir, 'index.html'), Buffer.alloc(150_000));
    writeFileSync(join(dir, 'findings.html'), Buffer.alloc(49_000));
    const size = reportSize(dir);
    expect(size).to.deep.equal({
      results: 1_101_000,
      screenshots: 1_000_000,
      casePages: 400_000,
      junit: 50_000,
      other: 199_000,
      total: 2_750_000,
    });
    expect(formatReportSize(size)).to.equal(
      'report size: 2.8 MB (results 1.1 MB, screenshots 1.0 MB, case pages 0.4 MB, junit 0.1 MB, other 0.2 MB)',
    );
  });

  it('is zero for a folder that is not there', () => {
    expect(reportSize(join(scratch(), 'missing')).total).to.equal(0);
  });
});
