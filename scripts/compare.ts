/**
 * npm run compare -- <old> <new> [--out page.html]: each a results file (results.json.gz, an older
 * results.json, a reports/history snapshot) or a run folder.
 * Prints per case × client the verdict and outcome transitions (regressed, improved, changed,
 * added, removed) and writes an HTML diff page. Exits 1 when something regressed.
 * "latest" names the newest run in reports/runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { latestResultsPath, readResults, REPORTS_DIR, type RunResults } from '../harness/runs/results';
import { compareRuns, compareText } from '../harness/report/compare';
import { diffPage } from '../harness/report/diff-page';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1] : undefined;
const files = args.filter((a, i) => !a.startsWith('--') && !(outIdx >= 0 && i === outIdx + 1));
const resolveArg = (a: string) => (a === 'latest' ? (latestResultsPath() ?? a) : a);
if (files.length !== 2) {
  console.error('usage: npm run compare -- <old> <new> [--out page.html]   (results files or run folders; "latest" = newest run)');
  process.exit(3);
}
let older: RunResults;
let newer: RunResults;
try {
  older = readResults(resolveArg(files[0]!));
  newer = readResults(resolveArg(files[1]!));
} catch (e) {
  console.error((e as Error).message);
  process.exit(3);
}
const diffs = compareRuns(older, newer);
console.log(compareText(diffs, older, newer));
const page = out ?? join(REPORTS_DIR, 'compare', `${older.run.id}__${newer.run.id}.html`);
mkdirSync(dirname(page), { recursive: true });
writeFileSync(page, diffPage(diffs, older, newer));
console.log(`\nHTML: ${relative(process.cwd(), page)}`);
process.exit(diffs.some((d) => d.transition === 'regressed') ? 1 : 0);
