/**
 * Writes everything a run shows: in the run's folder index.html (matrix), cases/<id>.html,
 * coverage.html and junit.xml; and reports/index.html + reports/junit.xml for the latest run.
 */
import { committedExpectations, type ExpectationSource } from '../verdicts/expectations';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildMatrix } from './view-model';
import { matrixPage } from './matrix-page';
import { casePage } from './case-page';
import { coveragePage } from './coverage-page';
import { summaryPage } from './summary-page';
import { findingsPage } from './findings-page';
import { junitXml } from './junit';
import type { RunResults } from '../runs/results';

export interface Written {
  index: string;
  runIndex: string;
  coverage: string;
  junit: string;
}

export function writeReport(
  run: RunResults,
  resultsPath: string,
  options: { topDir?: string; expectations?: ExpectationSource } = {},
): Written {
  const runDir = dirname(resultsPath);
  const expectations = options.expectations ?? committedExpectations();
  const m = buildMatrix(run, expectations);
  mkdirSync(join(runDir, 'cases'), { recursive: true });
  for (const row of m.groups.flatMap((g) => g.rows)) {
    writeFileSync(join(runDir, 'cases', `${row.fixture.id}.html`), casePage(m, row));
  }
  const runIndex = join(runDir, 'index.html');
  writeFileSync(runIndex, matrixPage(run, m, ''));
  const coverage = join(runDir, 'coverage.html');
  writeFileSync(coverage, coveragePage(m));
  writeFileSync(join(runDir, 'summary.html'), summaryPage(m));
  writeFileSync(join(runDir, 'findings.html'), findingsPage(m));
  const xml = junitXml(run, expectations);
  writeFileSync(join(runDir, 'junit.xml'), xml);

  const topDir = options.topDir ?? join(runDir, '..', '..');
  const prefix = relative(topDir, runDir).split('\\').join('/') + '/';
  const index = join(topDir, 'index.html');
  writeFileSync(index, matrixPage(run, m, prefix));
  writeFileSync(join(topDir, 'findings.html'), findingsPage(m, prefix));
  const junit = join(topDir, 'junit.xml');
  writeFileSync(junit, xml);
  return { index, runIndex, coverage, junit };
}
