/**
 * npm run bench [-- --repeat N] [-- --from results.json]: runs the whole matrix (observe mode) and
 * prints, per client project, the client launch time, per-case median and p95, the sum of case
 * times and the total wall time, with the sum of the fixtures' declared waits and holds, so the
 * suite's overhead over unavoidable waiting is a number. --from prints the same for a stored run.
 * Timing lives here, never in assertions.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { latestResultsPath, readResults, type RunResults } from '../harness/report/results';
import { declaredWaitMs } from '../harness/clients/run-case';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';

const args = process.argv.slice(2);
const opt = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const repeat = Number(opt('--repeat') ?? 1);
const from = opt('--from');

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

function print(results: RunResults, wallMs: number, label: string): void {
  const declared = results.fixtures.reduce((s, f) => s + declaredWaitMs(f), 0);
  const ran = results.results.filter((r) => r.status !== 'skipped');
  console.log(`\n${label}: ${ran.length} case runs (${results.results.length - ran.length} skipped: not applicable or unsupported) in ${(wallMs / 1000).toFixed(1)} s wall; fixtures declare ${(declared / 1000).toFixed(1)} s of waits/holds per client`);
  console.log('client project        version                    launch   cases  median    p95    sum of cases');
  for (const [name, c] of Object.entries(results.clients)) {
    const d = results.results.filter((r) => r.client === name && r.status !== 'skipped').map((r) => r.durationMs);
    if (!d.length) continue;
    const sum = d.reduce((a, b) => a + b, 0);
    console.log(
      `${name.padEnd(21)} ${(c.version ?? 'n/a').slice(0, 26).padEnd(26)} ${String(c.launchMs ?? '-').padStart(6)} ms ${String(d.length).padStart(5)} ${String(Math.round(quantile(d, 0.5))).padStart(6)} ms ${String(Math.round(quantile(d, 0.95))).padStart(6)} ms ${(sum / 1000).toFixed(1).padStart(7)} s`,
    );
  }
}

if (from) {
  const results = readResults(from);
  print(results, Date.parse(results.run.finishedAt) - Date.parse(results.run.startedAt), `stored run ${results.run.id}`);
  process.exit(0);
}
for (let i = 1; i <= repeat; i++) {
  const before = latestResultsPath();
  const t0 = performance.now();
  const run = spawnSync('npx', ['playwright', 'test', ...CLIENT_PROJECT_ARGS], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CC_EXPECTATIONS: 'observe', CC_CONSOLE_REPORTER: 'dot' } });
  const wall = performance.now() - t0;
  const path = latestResultsPath();
  if (!path || path === before) {
    console.error(`bench: the run produced no results (exit ${run.status})`);
    process.exit(3);
  }
  print(readResults(path), wall, `run ${i}/${repeat} (workers: ${process.env.CC_WORKERS ?? 2})`);
}
