/**
 * Writes everything a run shows: in the run's folder index.html (matrix), cases/<id>.html,
 * coverage.html, junit.xml and verdicts.json (the compact verdict index history reads); and
 * reports/index.html + reports/junit.xml for the latest run. The index says what changed since the
 * previous stored run (or the run or snapshot given as `against`); each case page lists the case's
 * verdicts across the stored runs.
 */
import { committedExpectations, type ExpectationSource } from '../verdicts/expectations';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { buildMatrix } from './view-model';
import { matrixPage } from './matrix-page';
import { casePage } from './case-page';
import { coveragePage } from './coverage-page';
import { clientsPage } from './clients-page';
import { factsPage } from './facts-page';
import { junitSemantics } from './components';
import { summaryPage } from './summary-page';
import { findingsPage } from './findings-page';
import { junitXml } from './junit';
import { CSS, STYLESHEET_FILE } from './html';
import { changesSection, computeChanges, runHistory, verdictIndex, writeVerdictIndex, type Changes, type HistoryRun } from './changes';
import type { RunResults } from '../runs/results';

export interface Written {
  index: string;
  runIndex: string;
  coverage: string;
  junit: string;
  verdicts: string;
  /** What the index says changed, and against what. */
  changes: Changes;
  /** The stored runs each case page's history lists, newest first (this run first). */
  history: HistoryRun[];
}

export function writeReport(
  run: RunResults,
  resultsPath: string,
  /** against: a results file, a run folder or a history snapshot to compare with (default: the previous stored run). */
  options: { topDir?: string; expectations?: ExpectationSource; against?: string } = {},
): Written {
  const runDir = dirname(resultsPath);
  const expectations = options.expectations ?? committedExpectations();
  const m = { ...buildMatrix(run, expectations), rawResults: basename(resultsPath) };
  const current = verdictIndex(run, m);
  const verdicts = writeVerdictIndex(runDir, current);
  const changes = computeChanges(runDir, current, options.against);
  const { runs: history } = runHistory(runDir, current);
  mkdirSync(join(runDir, 'cases'), { recursive: true });
  // One copy of the CSS for the hundreds of case pages (each linked to it), not one per page.
  writeFileSync(join(runDir, STYLESHEET_FILE), CSS);
  for (const row of m.groups.flatMap((g) => g.rows)) {
    writeFileSync(join(runDir, 'cases', `${row.fixture.id}.html`), casePage(m, row, { history }));
  }
  const changed = (prefix: string) => [changesSection(changes.diffs, prefix, changes.against, changes.notes), junitSemantics(prefix)];
  const runIndex = join(runDir, 'index.html');
  writeFileSync(runIndex, matrixPage(run, m, '', changed('')));
  const coverage = join(runDir, 'coverage.html');
  writeFileSync(coverage, coveragePage(m));
  writeFileSync(join(runDir, 'summary.html'), summaryPage(m));
  writeFileSync(join(runDir, 'clients.html'), clientsPage(m));
  writeFileSync(join(runDir, 'facts.html'), factsPage(m.rawResults));
  writeFileSync(join(runDir, 'findings.html'), findingsPage(m));
  const xml = junitXml(run, expectations);
  writeFileSync(join(runDir, 'junit.xml'), xml);

  const topDir = options.topDir ?? join(runDir, '..', '..');
  const prefix = relative(topDir, runDir).split('\\').join('/') + '/';
  const index = join(topDir, 'index.html');
  writeFileSync(index, matrixPage(run, m, prefix, changed(prefix)));
  writeFileSync(join(topDir, 'findings.html'), findingsPage(m, prefix));
  const junit = join(topDir, 'junit.xml');
  writeFileSync(junit, xml);
  return { index, runIndex, coverage, junit, verdicts, changes, history };
}
