/**
 * npm run render [-- <results.json>] [-- --current-fixtures]: re-renders the HTML report from stored
 * raw results (the latest run by default). Facts are recomputed from the stored evidence; verdict
 * rules come from the fixtures stored with the run, or from today's fixture files with
 * --current-fixtures (to see what a rule change does without re-running the browsers).
 */
import { relative } from 'node:path';
import { latestResultsPath, readResults } from '../harness/runs/results';
import { writeReport } from '../harness/report/write-report';
import { loadFixtures } from '../harness/cases/load';

const args = process.argv.slice(2);
const current = args.includes('--current-fixtures');
const path = args.find((a) => !a.startsWith('--')) ?? latestResultsPath();
if (!path) {
  console.error('no results yet: run npm run report first');
  process.exit(3);
}
const run = readResults(path);
if (current) run.fixtures = loadFixtures();
const { index, runIndex } = writeReport(run, path);
console.log(`report: ${relative(process.cwd(), index)} (run page: ${relative(process.cwd(), runIndex)})`);
