/**
 * npm run snapshot [-- <results.json.gz | results.json | run folder>]: copies a run's raw results
 * (the latest by default) into reports/history/ as plain JSON (a run's gzipped file is unpacked, so
 * git diffs and stores it as text), named by date and client versions, to be committed as a
 * deliberate record of what those browser versions did. Screenshots stay out (binary); the wire
 * evidence is inside.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { latestResultsPath, readResults, readResultsText, REPORTS_DIR } from '../harness/runs/results';

const path = process.argv[2] ?? latestResultsPath();
if (!path) {
  console.error('no results yet: run npm run report first');
  process.exit(3);
}
const run = readResults(path);
const versions = Object.entries(run.clients)
  .filter(([, c]) => c.version)
  .map(([n, c]) => `${n}-${c.version}`)
  .join('_');
const dest = join(REPORTS_DIR, 'history', `${run.run.startedAt.slice(0, 10)}_${versions}.json`);
mkdirSync(join(REPORTS_DIR, 'history'), { recursive: true });
writeFileSync(dest, readResultsText(path));
console.log(`snapshot: ${relative(process.cwd(), dest)} (compare later with: npm run compare -- ${relative(process.cwd(), dest)} latest)`);
