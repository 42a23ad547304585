/**
 * npm run report [-- --update-expectations] [-- --against <path>] [-- <playwright args>]
 *
 * Runs every fixture in every available client with expectations in observe mode (a changed
 * browser is reported, not fatal), then prints where the report is. With --update-expectations
 * the observed facts are written to expectations/<client>.json. With --against (a results file, a
 * run folder or a history snapshot) the index says what changed against it rather than against the
 * previous stored run.
 *
 * Exit codes: 0 report written; 2 harness errors (the report is still written); 3 no results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { latestResultsPath, readResults } from '../harness/runs/results';
import { buildMatrix } from '../harness/report/view-model';
import { writeReport } from '../harness/report/write-report';
import { formatReportSize, reportSize } from '../harness/report/size';
import { updateExpectationsFrom } from '../harness/runs/update-expectations';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';

const args = process.argv.slice(2);
const update = args.includes('--update-expectations');
const againstAt = args.indexOf('--against');
const against = againstAt >= 0 ? args[againstAt + 1] : undefined;
if (againstAt >= 0 && (!against || against.startsWith('--') || !existsSync(against))) {
  console.error(`--against ${against ?? ''}: give an existing results file, run folder or history snapshot`);
  process.exit(3);
}
const passThrough = args.filter((a, i) => a !== '--update-expectations' && (againstAt < 0 || (i !== againstAt && i !== againstAt + 1)));
// The report's own UI tests are not part of a report run unless asked for.
if (!passThrough.some((a) => a.startsWith('--project'))) passThrough.push(...CLIENT_PROJECT_ARGS);
const before = latestResultsPath();

console.log('connect-conformance: running every fixture in every available client…');
const run = spawnSync('npx', ['playwright', 'test', ...passThrough], {
  stdio: 'inherit',
  env: { ...process.env, CC_EXPECTATIONS: 'observe' },
});
const resultsPath = latestResultsPath();
if (!resultsPath || resultsPath === before) {
  console.error('connect-conformance: the run produced no results (see the output above).');
  process.exit(3);
}
const results = readResults(resultsPath);
if (against) {
  // The run's reporter compared with the previous stored run: the report is written again against the path given.
  try {
    writeReport(results, resultsPath, { against });
  } catch (e) {
    console.error((e as Error).message);
    process.exit(3);
  }
}
const matrix = buildMatrix(results);
console.log('\nVerdicts per client:');
for (const c of matrix.clients) {
  const t = matrix.totals[c.name]!;
  console.log(
    `  ${(c.label + ' ' + (c.version ?? '(not available)')).padEnd(32)} ${Object.entries(t)
      .filter(([, n]) => n)
      .map(([v, n]) => `${n} ${v}`)
      .join(', ')}`,
  );
}
// The matrix already judged every cell against expectations/: count from it, not from facts computed again.
const changed = matrix.groups
  .flatMap((g) => g.rows)
  .flatMap((r) => r.cells)
  .filter((c) => c.expectation && c.expectation.status !== 'match');
if (changed.length && !update) {
  console.log(
    `\n${changed.length} case run(s) differ from expectations/ (shown in the report); after a deliberate browser upgrade run: npm run expectations:update`,
  );
}
if (update) {
  for (const p of updateExpectationsFrom(results)) console.log(`updated ${relative(process.cwd(), p)}`);
}
console.log(`\nReport: ${relative(process.cwd(), 'reports/index.html')}  (raw results: ${relative(process.cwd(), resultsPath)})`);
console.log(formatReportSize(reportSize(dirname(resultsPath))));
const harnessErrors = results.results.filter((r) => r.status === 'harness-error').length;
if (harnessErrors) {
  console.error(`${harnessErrors} harness error(s): see the report's purple cells.`);
  process.exit(2);
}
if (run.status !== 0 && run.status !== 1) process.exit(run.status ?? 1);
