/**
 * npm run render [-- <results.json.gz | results.json | run folder>] [-- --current-fixtures] [-- --against <path>]:
 * re-renders the HTML report from stored raw results (the latest run by default). The index's
 * "changed since the last run" compares with the previous stored run, or with --against (a results
 * file, a run folder or a history snapshot). Facts are recomputed from the stored evidence; verdict
 * rules come from the fixtures stored with the run, or from today's fixture files with
 * --current-fixtures (to see what a rule change does without re-running the browsers).
 */
import { dirname, relative } from 'node:path';
import { latestResultsPath, readResults, resolveResultsPath, type RunResults } from '../harness/runs/results';
import { writeReport } from '../harness/report/write-report';
import { formatReportSize, reportSize } from '../harness/report/size';
import { loadFixtures } from '../harness/cases/load';

const args = process.argv.slice(2);
const current = args.includes('--current-fixtures');
const againstAt = args.indexOf('--against');
const against = againstAt >= 0 ? args[againstAt + 1] : undefined;
if (againstAt >= 0 && (!against || against.startsWith('--'))) {
  console.error('usage: npm run render -- [results] [--current-fixtures] [--against <results file, run folder or snapshot>]');
  process.exit(3);
}
const arg = args.find((a, i) => !a.startsWith('--') && (againstAt < 0 || i !== againstAt + 1));
let path: string | undefined;
let run: RunResults;
try {
  path = arg ? resolveResultsPath(arg) : latestResultsPath();
  if (!path) {
    console.error('no results yet: run npm run report first');
    process.exit(3);
  }
  run = readResults(path);
} catch (e) {
  console.error((e as Error).message);
  process.exit(3);
}
if (current) run.fixtures = loadFixtures();
let written: ReturnType<typeof writeReport>;
try {
  written = writeReport(run, path, against ? { against } : {});
} catch (e) {
  if (!against) throw e;
  console.error((e as Error).message);
  process.exit(3);
}
const { index, runIndex } = written;
console.log(`report: ${relative(process.cwd(), index)} (run page: ${relative(process.cwd(), runIndex)})`);
console.log(formatReportSize(reportSize(dirname(path))));
