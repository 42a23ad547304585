/**
 * npm run test:browsers [-- <playwright args>]: the browser suite with documented exit codes.
 *   0  every case ran and matched expectations/
 *   1  an observation differs from expectations/ (a browser changed), or another test failed
 *   2  at least one harness error (the suite failed, not the browser)
 *   3  nothing ran (invalid fixtures, no browser, Playwright could not start)
 */
import { spawnSync } from 'node:child_process';
import { latestResultsPath, readResults } from '../harness/report/results';

const before = latestResultsPath();
const run = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
const path = latestResultsPath();
if (!path || path === before) {
  console.error(`exit 3: the browser suite produced no results (Playwright exit ${run.status}); see the messages above`);
  process.exit(3);
}
const results = readResults(path).results;
const harness = results.filter((r) => r.status === 'harness-error').length;
const differ = results.filter((r) => r.expectation && r.expectation.status !== 'match').length;
if (harness) {
  console.error(`exit 2: ${harness} harness error(s)${differ ? ` and ${differ} expectation difference(s)` : ''}`);
  process.exit(2);
}
if (differ) {
  console.error(`exit 1: ${differ} observation(s) differ from expectations/ — a browser changed; if on purpose: npm run expectations:update`);
  process.exit(1);
}
if (run.status !== 0) {
  console.error(`exit 1: Playwright reported failures (exit ${run.status})`);
  process.exit(1);
}
