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
 *
 * Every invocation also measures this machine's own speed first: a bare Chromium loop of
 * SPEED_VISITS visits, one browser, its CPU per visit (the floor: a launch, then context + page +
 * goto through a trivial CONNECT proxy + screenshot + close per visit). Boxes of one kind differ 2x
 * from day to day, so every figure is printed beside it and as a ratio to it: two runs on two
 * machines compare as ratios, not as seconds.
 */
import { reapedChildrenCpuMs } from '../harness/runner/cpu';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { latestResultsPath, readResults, type RunResults } from '../harness/runs/results';
import { declaredWaitMs } from '../harness/cases/derive';
import { CLIENT_PROJECT_ARGS } from '../harness/clients/registry';
import { PHASES, type Phase } from '../harness/evidence/phases';
import { failureCode } from '../harness/evidence/failure';
import { parseProjectName } from '../harness/vocabulary/transports';

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

/** Visits of the speed probe: enough that the one launch weighs little, short enough to run every time. */
const SPEED_VISITS = 20;

/** This machine's speed: CPU ms per visit of a bare Chromium loop (undefined where Chromium is missing). */
function machineSpeed(): number | undefined {
  const r = measured('npx', ['tsx', 'scripts/lib/bare-loop.ts', 'chromium', String(SPEED_VISITS), '1']);
  if (r.status !== 0) {
    console.error(`bench: the machine's speed probe (bare Chromium loop) failed (exit ${r.status}); figures are printed without it`);
    return undefined;
  }
  return r.cpuMs / SPEED_VISITS;
}

/** A CPU or wall figure in seconds and in bare-Chromium visits of this machine. */
function inVisits(msValue: number): string {
  return speed ? `${s1(msValue)} s (${Math.round(msValue / speed)} bare visits)` : `${s1(msValue)} s`;
}
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
    `wall ${inVisits(wallMs)}; declared waits and holds ${s1(declared)} s in all; ${launches.length} launches ${s1(launchSum)} s; ` +
      `floor (declared ÷ workers + launches ÷ workers) ${s1(floor)} s; wall / floor ${(wallMs / floor).toFixed(1)}`,
  );
  const caseLaunches = ran.filter(launchedInCase).length;
  console.log(`case runs that launched a browser: ${caseLaunches} (relaunches after a crash or hang; no case launches one of its own)`);
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
    // Where the CPU went, per project: the workers' own Node (proxy, origin, evidence, driving) and the clients they launched.
    const cpu = new Map<string, { harness: number; clients: number }>();
    for (const t of teardowns) {
      if (t.cpuMs === undefined) continue;
      const c = cpu.get(t.project) ?? { harness: 0, clients: 0 };
      c.harness += t.cpuMs;
      c.clients += t.clientCpuMs ?? 0;
      cpu.set(t.project, c);
    }
    if (cpu.size) {
      console.log(
        'CPU s by project: workers (harness Node) / clients they launched (browsers, commands), and per case run in bare visits:',
      );
      let all = 0;
      for (const [project, c] of cpu) {
        const runs = ran.filter((r) => r.client === project).length;
        all += c.harness + c.clients;
        const per = speed && runs ? `  ${((c.harness + c.clients) / runs / speed).toFixed(2)} bare visits per case run` : '';
        console.log(`  ${project.padEnd(22)} ${s1(c.harness).padStart(7)} / ${s1(c.clients).padStart(7)}${per}`);
      }
      console.log(`  workers and clients in all: ${inVisits(all)}`);
    }
  }
}

/**
 * Whether a case run launched a browser: its 'launch' phase, timed only around a (re)launch. Runs
 * before 2026-12 timed an empty liveness check as 'launch' too (well under a millisecond), hence
 * the floor: no browser launches in 100 ms.
 */
function launchedInCase(r: { record?: { harness: { phases?: Partial<Record<Phase, number>> } } }): boolean {
  return (r.record?.harness.phases?.launch ?? 0) > 100;
}

/** Runs a command to its end; its wall time and the CPU its whole process tree used. */
function measured(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env) {
  const cpu0 = reapedChildrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], env, maxBuffer: 64 * 1024 * 1024 });
  return { wallMs: performance.now() - t0, cpuMs: reapedChildrenCpuMs() - cpu0, status: r.status, stdout: r.stdout?.toString() ?? '' };
}

/** The kinds with a bare loop (scripts/lib/bare-loop.ts, which checks the same list). */
const BARE_KINDS = ['chromium', 'firefox', 'webkit', 'curl'];

/**
 * --baseline: per client project, the suite's run of that project alone, then the bare loop of the
 * same client kind with as many visits, on the same machine in the same invocation; their wall and
 * CPU side by side and as ratios. Numbers only.
 */
function runBaseline(): void {
  const asked = passThrough.filter((a) => a.startsWith('--project=')).map((a) => a.slice('--project='.length));
  const projects = asked.length ? asked : BARE_KINDS;
  const rows: string[][] = [];
  const totals = { suite: 0, bare: 0, bareCovered: 0 };
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
    // A case's 'launch' phase exists only when the case launched a browser (a relaunch after a crash or hang).
    const caseLaunches = ran.filter(launchedInCase).length;
    // As many bare browsers at once as the project ran cases at once, so both sides pay for the same launches.
    const atOnce = Math.max(1, Math.min(run.clients[project]?.concurrency ?? 1, visits));
    const bare = BARE_KINDS.includes(kind)
      ? measured('npx', ['tsx', 'scripts/lib/bare-loop.ts', kind, String(visits), String(atOnce)])
      : undefined;
    if (bare && bare.status !== 0) console.error(`bench: the bare loop of ${kind} failed (exit ${bare.status})`);
    const ratio = (a: number, b?: number) => (b ? (a / b).toFixed(2) : '-');
    // Of the harness's CPU: its workers' own Node and the clients they launched (the rest is the runner and reporter).
    const mine = (run.run.teardowns ?? []).filter((t) => t.project === project && t.cpuMs !== undefined);
    const split = mine.length
      ? `${s1(mine.reduce((n, t) => n + t.cpuMs!, 0))} / ${s1(mine.reduce((n, t) => n + (t.clientCpuMs ?? 0), 0))}`
      : '-';
    rows.push([
      project,
      String(ran.length),
      String(visits),
      String(atOnce),
      String(caseLaunches),
      s1(harness.wallMs),
      bare ? s1(bare.wallMs) : '-',
      ratio(harness.wallMs, bare?.wallMs),
      s1(harness.cpuMs),
      bare ? s1(bare.cpuMs) : '-',
      ratio(harness.cpuMs, bare?.cpuMs),
      visits ? ms(harness.cpuMs / visits) : '-',
      bare && visits ? ms(bare.cpuMs / visits) : '-',
      speed && visits ? (harness.cpuMs / visits / speed).toFixed(2) : '-',
      split,
    ]);
    totals.suite += harness.cpuMs;
    totals.bare += bare?.cpuMs ?? 0;
    totals.bareCovered += bare ? harness.cpuMs : 0;
  }
  const head = [
    'project',
    'cases',
    'visits',
    'at once',
    'case launches',
    'wall s',
    'bare wall s',
    'wall ratio',
    'CPU s',
    'bare CPU s',
    'CPU ratio',
    'CPU ms/visit',
    'bare ms/visit',
    'visit / speed',
    'workers / clients CPU s',
  ];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  console.log(
    '\nharness against the bare floor (same client, same visits, as many browsers at once as the project ran cases at once, this machine, this invocation):',
  );
  for (const r of [head, ...rows]) console.log(r.map((c, i) => (i ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  '));
  if (totals.bare)
    console.log(
      `\nin all: suite ${inVisits(totals.suite)} of CPU; the projects with a bare loop ${s1(totals.bareCovered)} s against their bare loops' ${s1(totals.bare)} s (ratio ${(totals.bareCovered / totals.bare).toFixed(2)})`,
    );
  console.log(
    "\nCPU: the whole process tree (runner, workers, browsers; the bare loop's Node and browser), from /proc's cutime + cstime; " +
      "workers / clients: the workers' own Node (proxy, origin, evidence, driving) and the clients they launched, the rest being the runner and reporter. " +
      'case launches: case runs that launched a browser (relaunches after a crash or hang; no case launches one of its own). ' +
      "visit / speed: the suite's CPU per visit over this machine's speed (bare Chromium CPU per visit, printed first).",
  );
}

const speed = process.env.CC_BENCH_SPEED_MS ? Number(process.env.CC_BENCH_SPEED_MS) : machineSpeed();
console.log(
  speed
    ? `this machine's speed: a bare Chromium loop used ${ms(speed)} ms of CPU per visit (${SPEED_VISITS} visits, one browser; figures below are also given in such visits)`
    : "this machine's speed: not measured",
);
if (from) console.log('(measured now, on this machine: the stored run may have been made on another)');

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
  const projects = passThrough.some((a) => a.startsWith('--project')) ? [] : CLIENT_PROJECT_ARGS;
  const run = measured('npx', ['playwright', 'test', ...projects, ...passThrough], {
    ...process.env,
    CC_EXPECTATIONS: 'observe',
    CC_CONSOLE_REPORTER: 'dot',
  });
  const path = latestResultsPath();
  if (!path || path === before) {
    console.error(`bench: the run produced no results (exit ${run.status})`);
    process.exit(3);
  }
  print(readResults(path), run.wallMs, `run ${i}/${repeat}`);
  console.log(`CPU of the whole run (runner, workers, clients, skipped tests): ${inVisits(run.cpuMs)}`);
}
