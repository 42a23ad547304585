/**
 * npm run test:browsers [-- <playwright args>]: the browser suite with documented exit codes.
 *   0  every case ran and matched expectations/
 *   1  an observation differs from expectations/ (a browser changed), or another test failed
 *   2  at least one harness error (the suite failed, not the browser)
 *   3  nothing ran (invalid fixtures, no browser, Playwright could not start)
 *
 * --slow-machine runs the suite on one core (taskset -c 0): a machine half as fast as this one, on
 * which every verdict must come out the same (a bound spent waiting for a CPU re-runs the case:
 * harness/runner/starvation.ts). The workers follow the core count (cores + 1).
 */
import { spawnSync } from 'node:child_process';
import { expectationStatuses, latestResultsPath, readResults } from '../harness/runs/results';
import { loadFixtures } from '../harness/cases/load';
import { CLIENTS, CLIENTS_FILE_PROBLEM, requiredInCi } from '../harness/clients/registry';
import { proxyPortFor } from '../harness/runner/lab';
import { concurrencyFor, totalWorkers } from '../harness/runner/concurrency';
import { TRANSPORT_NAMES, projectName } from '../harness/vocabulary/transports';

const slowMachine = process.argv.includes('--slow-machine');
const args = process.argv.slice(2).filter((a) => a !== '--slow-machine');

/** Stops before Playwright starts, with a message and no stack: the problem is the set-up's. */
function setupProblem(message: string): never {
  console.error(message);
  console.error('exit 3: nothing ran (fix the above and run again)');
  process.exit(3);
}

/** The --project values given (Playwright's "*" wildcards included), or undefined for all. */
function selectedProjects(): RegExp[] | undefined {
  const names = args.flatMap((a, i) =>
    a.startsWith('--project=') ? [a.slice(10)] : a === '--project' && args[i + 1] ? [args[i + 1]!] : [],
  );
  if (!names.length) return undefined;
  return names.map((n) => new RegExp(`^${n.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i'));
}

// Preflight: the problems a user fixes (an invalid or unreadable fixture, a browser that is not
// installed, a bad CC_PROXY_PORT) are reported here plainly instead of as a failure deep in a run.
try {
  loadFixtures();
} catch (e) {
  setupProblem((e as Error).message);
}
try {
  if (CLIENTS_FILE_PROBLEM) throw new Error(CLIENTS_FILE_PROBLEM);
  proxyPortFor(0);
  totalWorkers();
  for (const kind of Object.values(CLIENTS)) concurrencyFor(kind);
} catch (e) {
  setupProblem((e as Error).message);
}
const selected = selectedProjects();
for (const kind of Object.values(CLIENTS)) {
  const projects = TRANSPORT_NAMES.filter((t) => kind.capabilities.transports.includes(t)).map((t) => projectName(kind.name, t));
  if (selected && !projects.some((p) => selected.some((re) => re.test(p)))) continue;
  const exe = kind.resolve();
  if (exe.path) continue;
  if (process.env.CI && requiredInCi(kind)) setupProblem(`${kind.label} is not available: ${exe.how}`);
  console.log(`note: ${kind.label} is not available (${exe.how}); its columns will say so`);
}

const before = latestResultsPath();
if (slowMachine) console.log('slow-machine mode: the whole suite on one core (taskset -c 0)');
const [cmd, ...cmdArgs] = [...(slowMachine ? ['taskset', '-c', '0'] : []), 'npx', 'playwright', 'test', ...args];
const run = spawnSync(cmd!, cmdArgs, { stdio: 'inherit' });
const path = latestResultsPath();
if (!path || path === before) {
  console.error(`exit 3: the browser suite produced no results (Playwright exit ${run.status}); see the messages above`);
  process.exit(3);
}
const stored = readResults(path);
const harness = stored.results.filter((r) => r.status === 'harness-error').length;
const differ = expectationStatuses(stored).filter((e) => e.status.status !== 'match').length;
if (harness) {
  console.error(`exit 2: ${harness} harness error(s)${differ ? ` and ${differ} expectation difference(s)` : ''}`);
  process.exit(2);
}
if (differ) {
  console.error(
    `exit 1: ${differ} observation(s) differ from expectations/ — a browser changed; if on purpose: npm run expectations:update`,
  );
  process.exit(1);
}
if (run.status !== 0) {
  console.error(`exit 1: Playwright reported failures (exit ${run.status})`);
  process.exit(1);
}
