/**
 * npm run flake -- --repeat N [<playwright args>]: runs the whole matrix N times (Playwright
 * --repeat-each, observe mode) and prints every case × client whose pinned facts changed between
 * runs, with each outcome and how often it was seen. Exits 1 when something flipped, 0 otherwise.
 * A truly intermittent fact is then marked in its fixture ("intermittent": {client: {fact: [..]}}).
 */
import { spawnSync } from 'node:child_process';
import { latestResultsPath, readResults } from '../harness/report/results';
import { computeFacts } from '../harness/observe/facts';
import { pinnedFacts } from '../harness/verdicts/expectations';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';

const args = process.argv.slice(2);
const at = args.indexOf('--repeat');
const repeat = at >= 0 ? Number(args[at + 1]) : 5;
const rest = args.filter((_, i) => i !== at && i !== at + 1);
if (!Number.isInteger(repeat) || repeat < 2) {
  console.error('usage: npm run flake -- --repeat N   (N >= 2)');
  process.exit(3);
}
const before = latestResultsPath();
const projects = rest.some((a) => a.startsWith('--project')) ? [] : CLIENT_PROJECT_ARGS;
console.log(`connect-conformance: running the matrix ${repeat} times…`);
spawnSync('npx', ['playwright', 'test', `--repeat-each=${repeat}`, ...projects, ...rest], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CC_EXPECTATIONS: 'observe', CC_CONSOLE_REPORTER: 'dot' } });
const path = latestResultsPath();
if (!path || path === before) {
  console.error('flake: the run produced no results');
  process.exit(3);
}
const run = readResults(path);
const groups = new Map<string, Map<string, number>>();
let harnessErrors = 0;
for (const r of run.results) {
  if (r.status === 'harness-error') harnessErrors++;
  if (!r.record) continue;
  const fixture = run.fixtures.find((f) => f.id === r.caseId);
  if (!fixture) continue;
  const key = `${r.caseId} [${r.client}]`;
  const outcome = JSON.stringify(pinnedFacts(fixture, computeFacts(r.record)));
  const seen = groups.get(key) ?? new Map<string, number>();
  seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
  groups.set(key, seen);
}
const flips = [...groups].filter(([, seen]) => seen.size > 1);
console.log(`\n${groups.size} case × client pairs, ${repeat} runs each: ${flips.length} changed outcome between runs; ${harnessErrors} harness error(s).`);
for (const [key, seen] of flips) {
  console.log(`FLIP ${key}`);
  for (const [outcome, n] of seen) console.log(`    ${n}× ${outcome}`);
}
process.exit(flips.length || harnessErrors ? 1 : 0);
