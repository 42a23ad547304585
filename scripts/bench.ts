/**
 * npm run bench [-- --repeat N] [-- --from <results.json.gz | results.json | run folder>] [-- <playwright args>]
 * npm run bench -- --baseline [--project=chromium --project=firefox …] [--grep …]
 *
 * Runs the whole matrix (observe mode) and prints where the time goes: per client project the
 * launches, per-case median and p95, the sum of case times and the median of each phase
 * (context, navigation, liveness probe, page read, screenshot, settle, dispose); the slowest case
 * runs with their phases; and the wall time beside what the fixtures make unavoidable (their
 * declared waits and holds, spread over the run's concurrency, plus the launches). --from prints
 * the same for a stored run. Timing lives here, never in assertions.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { latestResultsPath, readResults, type RunResults } from '../harness/runs/results';
import { declaredWaitMs } from '../harness/cases/derive';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';
import { PHASES, type Phase } from '../harness/evidence/phases';
import { failureCode } from '../harness/evidence/failure';
import { parseProjectName } from '../harness/vocabulary/transports';
import { OWN_BROWSER_NOTE } from '../harness/clients/playwright-client';

const args = process.argv.slice(2);
const opt = (name: string) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : undefined);
const repeat = Number(opt('--repeat') ?? 1);
const from = opt('--from');
const baseline = args.includes('--baseline');
const passThrough = args.filter(
  (a, i) => !['--repeat', '--from', '--baseline'].includes(a) && !['--repeat', '--from'].includes(args[i - 1] ?? ''),
);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : Number.NaN;
};
const ms = (n: number) => (Number.isNaN(n) ? '-' : String(Math.round(n)));
const s1 = (n: number) => (n / 1000).toFixed(1);

function print(results: RunResults, wallMs: number, label: string): void {
  const ran = results.results.filter((r) => r.status !== 'skipped');
  const byId = new Map(results.fixtures.map((f) => [f.id, f]));
  const declared = ran.reduce((s, r) => s + declaredWaitMs(byId.get(r.caseId) ?? { proxy: { exchanges: [] } as never }), 0);
  const workers = results.run.workers ?? Number(process.env.CC_WORKERS ?? 2);
  const launches = Object.values(results.clients).flatMap((c) => c.launches ?? (c.launchMs !== undefined ? [c.launchMs] : []));
  const launchSum = launches.reduce((a, b) => a + b, 0);
  const floor = declared / workers + launchSum / workers;
  console.log(
    `\n${label}: ${ran.length} case runs (${results.results.length - ran.length} skipped: not applicable or unsupported), ${workers} workers`,
  );
  console.log(
    `wall ${s1(wallMs)} s; declared waits and holds ${s1(declared)} s in all; ${launches.length} launches ${s1(launchSum)} s; ` +
      `floor (declared ÷ workers + launches ÷ workers) ${s1(floor)} s; wall / floor ${(wallMs / floor).toFixed(1)}`,
  );
  const phaseCols = PHASES.filter((p) => p !== 'launch');
  console.log(
    `\n${'client project'.padEnd(20)} ${'launch'.padStart(7)} ${'cases'.padStart(5)} ${'median'.padStart(7)} ${'p95'.padStart(7)} ${'sum'.padStart(7)}  ` +
      `median per phase (ms): ${phaseCols.map((p) => p.padStart(10)).join('')}`,
  );
  for (const [name, c] of Object.entries(results.clients)) {
    const rows = ran.filter((r) => r.client === name);
    if (!rows.length) continue;
    const d = rows.map((r) => r.durationMs);
    const phase = (p: Phase) =>
      quantile(
        rows.flatMap((r) => (r.record?.harness.phases?.[p] !== undefined ? [r.record.harness.phases[p]!] : [])),
        0.5,
      );
    console.log(
      `${name.padEnd(20)} ${ms(quantile(c.launches ?? [c.launchMs ?? Number.NaN], 0.5)).padStart(7)} ${String(d.length).padStart(5)} ` +
        `${ms(quantile(d, 0.5)).padStart(7)} ${ms(quantile(d, 0.95)).padStart(7)} ${s1(d.reduce((a, b) => a + b, 0)).padStart(7)}  ` +
        `${''.padEnd(23)}${phaseCols.map((p) => ms(phase(p)).padStart(10)).join('')}`,
    );
  }
  const slow = [...ran].sort((a, b) => b.durationMs - a.durationMs).slice(0, 12);
  console.log('\nslowest case runs (ms, and the phases that took most of it):');
  for (const r of slow) {
    const phases = Object.entries(r.record?.harness.phases ?? {})
      .sort(([, a], [, b]) => b - a)
      .slice(0, 3)
      .map(([p, t]) => `${p} ${Math.round(t)}`)
      .join(', ');
    const failure = r.record?.navigation?.failure;
    const outcome = failure ? failureCode(failure) : r.status === 'harness-error' ? 'harness error' : 'ok';
    console.log(`  ${String(r.durationMs).padStart(6)}  ${r.caseId} [${r.client}] ${outcome}${phases ? ` — ${phases}` : ''}`);
  }
  const teardowns = results.run.teardowns ?? [];
  if (teardowns.length) {
    const worst = teardowns.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
    console.log(
      `\nworkers at teardown: ${teardowns.length}; largest RSS ${worst.rssMiB} MiB (${worst.project}); ` +
        `JS heap in use at most ${Math.max(...teardowns.map((t) => t.heapMiB))} MiB; proxy sockets left open: ${teardowns.reduce((n, t) => n + t.openSockets, 0)}`,
    );
  }
}

/** CPU time (ms) of this process's reaped children, their descendants included: a run's whole tree once it has exited. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), cutime and cstime, in clock ticks (100 a second on Linux).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Runs a command to its end; its wall time and the CPU its whole process tree used. */
function measured(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env) {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], env, maxBuffer: 64 * 1024 * 1024 });
  return { wallMs: performance.now() - t0, cpuMs: childrenCpuMs() - cpu0, status: r.status, stdout: r.stdout?.toString() ?? '' };
}

/** The kinds with a bare loop (scripts/lib/bare-loop.ts, which checks the same list). */
const BARE_KINDS = ['chromium', 'firefox', 'curl'];

/**
 * --baseline: per client project, the suite's run of that project alone, then the bare loop of the
 * same client kind with as many visits, on the same machine in the same invocation; their wall and
 * CPU side by side and as ratios. Numbers only.
 */
function runBaseline(): void {
  const asked = passThrough.filter((a) => a.startsWith('--project=')).map((a) => a.slice('--project='.length));
  const projects = asked.length ? asked : BARE_KINDS;
  const rows: string[][] = [];
  for (const project of projects) {
    const kind = parseProjectName(project).client;
    const before = latestResultsPath();
    const others = passThrough.filter((a) => !a.startsWith('--project='));
    const harness = measured('npx', ['playwright', 'test', `--project=${project}`, ...others], {
      ...process.env,
      CC_EXPECTATIONS: 'observe',
      CC_CONSOLE_REPORTER: 'dot',
    });
    const path = latestResultsPath();
    if (!path || path === before) {
      console.error(`bench: ${project} produced no results (exit ${harness.status})`);
      continue;
    }
    const run = readResults(path);
    const ran = run.results.filter((r) => r.client === project && r.status !== 'skipped');
    const visits = ran.reduce((n, r) => n + (r.record?.visits?.length || 1), 0);
    const ownLaunches = ran.filter((r) => r.record?.harness.notes.some((n) => n.startsWith(OWN_BROWSER_NOTE))).length;
    const bare = BARE_KINDS.includes(kind) ? measured('npx', ['tsx', 'scripts/lib/bare-loop.ts', kind, String(visits)]) : undefined;
    if (bare && bare.status !== 0) console.error(`bench: the bare loop of ${kind} failed (exit ${bare.status})`);
    const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : '-');
    rows.push([
      project,
      String(ran.length),
      String(visits),
      String(ownLaunches),
      s1(harness.wallMs),
      bare ? s1(bare.wallMs) : '-',
      ratio(harness.wallMs, bare?.wallMs),
      s1(harness.cpuMs),
      bare ? s1(bare.cpuMs) : '-',
      ratio(harness.cpuMs, bare?.cpuMs),
    ]);
  }
  const head = ['project', 'cases', 'visits', 'own launches', 'wall s', 'bare wall s', 'wall ratio', 'CPU s', 'bare CPU s', 'CPU ratio'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log('\nharness against the bare floor (same client, same visits, this machine, this invocation):');
  for (const r of [head, ...rows]) console.log(r.map((c, i) => (i ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  '));
  console.log(
    "\nCPU: the whole process tree (runner, workers, browsers; the bare loop's Node and browser), from /proc's cutime + cstime. " +
      'own launches: case runs that launched a browser of their own.',
  );
}

if (baseline) {
  runBaseline();
  process.exit(0);
}

if (from) {
  const results = readResults(from);
  print(results, Date.parse(results.run.finishedAt) - Date.parse(results.run.startedAt), `stored run ${results.run.id}`);
  process.exit(0);
}
for (let i = 1; i <= repeat; i++) {
  const before = latestResultsPath();
  const t0 = performance.now();
  const projects = passThrough.some((a) => a.startsWith('--project')) ? [] : CLIENT_PROJECT_ARGS;
  const run = spawnSync('npx', ['playwright', 'test', ...projects, ...passThrough], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CC_EXPECTATIONS: 'observe', CC_CONSOLE_REPORTER: 'dot' },
  });
  const wall = performance.now() - t0;
  const path = latestResultsPath();
  if (!path || path === before) {
    console.error(`bench: the run produced no results (exit ${run.status})`);
    process.exit(3);
  }
  print(readResults(path), wall, `run ${i}/${repeat}`);
}
