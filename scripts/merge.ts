/**
 * npm run merge -- <results.json.gz | results.json | folder>… [--force] [--out <folder>]
 *
 * Merges the raw results of sharded runs into one run: one results.json.gz, one HTML report and one
 * JUnit file, with the case × client set of a single full run. A folder is searched for run
 * folders holding results.json.gz (or an older run's results.json): a downloaded CI artifact, a
 * reports/runs folder. Runs from different fixture sets or commits, with different client
 * versions, or overlapping, are refused unless --force. Screenshots are copied beside the merged
 * results.
 *
 * Exit codes: 0 merged; 3 bad arguments, unreadable results, or a refused merge.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { readResults, REPORTS_DIR, RESULTS_FILES, resultsFileIn, writeResults } from '../harness/runs/results';
import { MergeError, mergeRuns, type SourceRun } from '../harness/runs/merge';
import { writeReport } from '../harness/report/write-report';
import { formatReportSize, reportSize } from '../harness/report/size';

const args = process.argv.slice(2);
const force = args.includes('--force');
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args[outAt + 1] : undefined;
const inputs = args.filter((a, i) => !a.startsWith('--') && !(outAt >= 0 && i === outAt + 1));
const fail = (message: string): never => {
  console.error(message);
  console.error('usage: npm run merge -- <results.json.gz | results.json | folder>… [--force] [--out <folder>]');
  process.exit(3);
};

function resultsFiles(path: string): string[] {
  if (!existsSync(path)) fail(`${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) return [path];
  const own = resultsFileIn(path);
  if (own) return [own];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (statSync(join(path, name)).isDirectory() ? resultsFiles(join(path, name)) : []));
}

if (!inputs.length) fail('nothing to merge');
const files = [...new Set(inputs.flatMap(resultsFiles))];
if (!files.length) fail(`no ${RESULTS_FILES.join(' or ')} under ${inputs.join(', ')}`);
let sources: SourceRun[] = [];
try {
  sources = files.map((path) => ({ path: relative(process.cwd(), path) || path, run: readResults(path) }));
} catch (e) {
  fail((e as Error).message);
}
const id = `${new Date().toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19)}_merged`;
let merged: ReturnType<typeof mergeRuns>;
try {
  merged = mergeRuns(sources, { force, id });
} catch (e) {
  if (e instanceof MergeError) fail(e.message);
  throw e;
}
const runDir = out ? resolve(out) : join(REPORTS_DIR, 'runs', id);
mkdirSync(runDir, { recursive: true });
// Screenshots keep their paths relative to the results file, so they are copied beside it.
for (const s of sources) {
  for (const r of s.run.results) {
    const shot = r.record?.screenshot;
    const from = shot ? join(dirname(s.path), shot) : undefined;
    if (!shot || !from || !existsSync(from)) continue;
    mkdirSync(dirname(join(runDir, shot)), { recursive: true });
    copyFileSync(from, join(runDir, shot));
  }
}
const resultsPath = writeResults(runDir, merged);
const written = writeReport(merged, resultsPath, out ? { topDir: runDir } : {});
const ran = merged.results.filter((r) => r.status !== 'skipped').length;
console.log(
  `merged ${sources.length} run(s): ${ran} case runs, ${merged.results.length - ran} skipped, ${Object.keys(merged.clients).length} client projects${force ? ' (forced)' : ''}`,
);
console.log(`  raw results: ${relative(process.cwd(), resultsPath)}`);
console.log(`  report:      ${relative(process.cwd(), written.runIndex)}`);
console.log(`  JUnit:       ${relative(process.cwd(), join(runDir, 'junit.xml'))}`);
console.log(`  ${formatReportSize(reportSize(runDir))}`);
