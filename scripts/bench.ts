/**
 * npm run bench [-- --repeat N]: runs the whole matrix (observe mode) and prints, per client, the
 * browser launch time, per-case median and p95, total wall time, and the sum of the fixtures'
 * declared waits and holds, so the suite's overhead over unavoidable waiting is a number.
 * Timing lives here, never in assertions.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { latestResultsPath, readResults } from '../harness/report/results';
import { declaredWaitMs } from '../harness/clients/run-case';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';

const repeatArg = process.argv.indexOf('--repeat');
const repeat = repeatArg > 0 ? Number(process.argv[repeatArg + 1]) : 1;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN;
};

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
  const results = readResults(path);
  const declared = results.fixtures.reduce((s, f) => s + declaredWaitMs(f), 0);
  console.log(`\nrun ${i}/${repeat}: ${results.results.length} case runs in ${(wall / 1000).toFixed(1)} s wall (workers: ${process.env.CC_WORKERS ?? 2}); fixtures declare ${(declared / 1000).toFixed(1)} s of waits/holds per client`);
  console.log('client      version            launch   cases  median  p95     sum of cases');
  for (const [name, c] of Object.entries(results.clients)) {
    const d = results.results.filter((r) => r.client === name && r.status !== 'skipped').map((r) => r.durationMs);
    const sum = d.reduce((a, b) => a + b, 0);
    console.log(
      `${name.padEnd(11)} ${(c.version ?? 'n/a').padEnd(18)} ${String(c.launchMs ?? '-').padStart(5)} ms ${String(d.length).padStart(5)}  ${String(Math.round(quantile(d, 0.5))).padStart(5)} ms ${String(Math.round(quantile(d, 0.95))).padStart(5)} ms ${(sum / 1000).toFixed(1).padStart(6)} s`,
    );
  }
}
