/**
 * Playwright reporter that turns the suite's attachments into one raw results file per run
 * (results.json.gz), copies the screenshots beside it, renders the HTML report and prints its
 * size. Runs in Playwright's main process, so it sees every worker's cases.
 */
import { workersOver } from '../runner/concurrency';
import type { ExpectationStatus } from '../verdicts/expectations';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createRequire } from 'node:module';
import { loadFixtures, type LoadedFixture } from '../cases/load';
import { CLIENTS } from '../clients/registry';
import { leftOutReason } from '../clients/client';
import { TRANSPORTS, parseProjectName } from '../vocabulary/transports';
import type { CaseRecord } from '../evidence/record';
import {
  REPORTS_DIR,
  RESULTS_FORMAT,
  teardownDir,
  type CaseResult,
  type ClientRun,
  type RunResults,
  type WorkerTeardown,
  writeResults,
} from '../runs/results';
import { writeReport } from './write-report';
import { formatReportSize, reportSize } from './size';
import { stripAnsi } from '../wire/bytes';

function runId(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

function attachmentJson<T>(result: TestResult, name: string): T | undefined {
  const a = result.attachments.find((x) => x.name === name);
  if (!a) return undefined;
  const text = a.body ? a.body.toString('utf8') : a.path ? readFileSync(a.path, 'utf8') : undefined;
  return text ? (JSON.parse(text) as T) : undefined;
}

export default class ResultsReporter implements Reporter {
  private started = new Date();
  private results: CaseResult[] = [];
  /** The kept result of each Playwright test (by test id), for a retry to replace. */
  private attempts = new Map<string, CaseResult>();
  /** Each kept result's comparison with expectations/ as the spec made it (not stored in results). */
  private expectationOf = new Map<CaseResult, ExpectationStatus>();

  private keep(testId: string, r: CaseResult): void {
    this.results.push(r);
    this.attempts.set(testId, r);
  }
  private clients: Record<string, ClientRun> = {};
  private fixtures: LoadedFixture[] = [];
  private runDir = '';
  private id = '';
  private counts = { passed: 0, failed: 0, skipped: 0 };
  private flaky: string[] = [];
  /** The cells of cases left out of a project (never run there), added to the results at the end. */
  private leftOut: CaseResult[] = [];
  /** One entry per lab launch (worker × client), for npm run bench. */
  private launches = new Map<string, { client: string; ms: number }>();
  private workers: number | undefined;
  private shard: { current: number; total: number } | undefined;

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.workers = config.workers;
    this.shard = config.shard ?? undefined;
    // Shards started in the same second on one machine must not share a folder.
    this.id = runId(this.started) + (this.shard ? `_shard-${this.shard.current}-of-${this.shard.total}` : '');
    this.runDir = join(REPORTS_DIR, 'runs', this.id);
    try {
      this.fixtures = loadFixtures();
    } catch {
      this.fixtures = []; // the spec file reports the fixture errors itself
    }
    for (const project of suite.suites.map((s) => s.project()).filter((p) => p !== undefined)) {
      const { client, transport } = parseProjectName(project.name);
      const kind = CLIENTS[client];
      if (!kind) continue; // not a client (e.g. the report's own UI tests)
      const exe = kind.resolve();
      this.clients[project.name] = {
        label: transport === 'h1' ? kind.label : `${kind.label} (${TRANSPORTS[transport].label})`,
        kind: kind.name,
        transport,
        available: !!exe.path,
        concurrency: workersOver(kind, transport, this.fixtures),
        ...(exe.path ? { executablePath: exe.path } : { note: exe.how }),
      };
    }
    // Cases a project leaves out (its grepInvert: leftOutReason) get their cell all the same, for
    // the cases this run selected in any project (written at the end, if anything ran).
    const selected = new Set(suite.allTests().map((t) => t.title));
    for (const project of Object.keys(this.clients)) {
      const { client, transport } = parseProjectName(project);
      const kind = CLIENTS[client];
      if (!kind) continue;
      for (const f of this.fixtures) {
        const skip = selected.has(f.id) ? leftOutReason(kind, transport, f) : undefined;
        if (skip) this.leftOut.push({ caseId: f.id, client: project, durationMs: 0, status: 'skipped', skip });
      }
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const client = test.parent.project()?.name ?? 'unknown';
    const caseId = test.title;
    // Counted once per test: its last attempt decides.
    const final = result.status === 'passed' || result.status === 'skipped' || result.retry >= test.retries;
    if (final) {
      if (result.status === 'passed') this.counts.passed++;
      else if (result.status === 'skipped') this.counts.skipped++;
      else this.counts.failed++;
    }
    if (!this.clients[client]) return; // not a client project (the report's UI tests)
    const record = attachmentJson<CaseRecord>(result, 'case-record');
    const lab = attachmentJson<{
      launchMs: number;
      launchedAt?: number;
      launchConfig: Record<string, unknown>;
      client: { version: string };
    }>(result, 'lab');
    const expectation = attachmentJson<{ status: ExpectationStatus }>(result, 'expectation');
    if (lab && this.clients[client]) {
      this.launches.set(`${client}\u0000${result.workerIndex}\u0000${lab.launchedAt ?? ''}`, { client, ms: Math.round(lab.launchMs) });
      Object.assign(this.clients[client]!, {
        version: lab.client.version,
        launchMs: Math.round(lab.launchMs),
        launchConfig: lab.launchConfig,
      });
    }
    // A retried case keeps its last attempt; the earlier one is remembered as a flaky flip. Only a
    // retry (same test, attempt > 0) replaces: repeats (--repeat-each, npm run flake) are separate
    // tests with ids of their own, and every one of them is kept.
    const previous = result.retry > 0 ? this.attempts.get(test.id) : undefined;
    const earlier = previous ? this.results.indexOf(previous) : -1;
    const flakyNote = earlier >= 0 ? describeAttempt(this.results[earlier]!, this.expectationOf.get(this.results[earlier]!)) : undefined;
    if (earlier >= 0) {
      this.results.splice(earlier, 1);
      this.flaky.push(`${caseId} [${client}]: first attempt ${flakyNote}`);
    }
    const base = { caseId, client, durationMs: result.duration, ...(flakyNote ? { flakyFirstAttempt: flakyNote } : {}) };
    if (result.status === 'skipped') {
      // The spec says why it skipped as data; a skip with no such record came from the worker's
      // lab fixture, which skips only when the client is not installed.
      const detail =
        result.annotations?.find((a) => a.type === 'skip')?.description ??
        test.annotations.find((a) => a.type === 'skip')?.description ??
        'skipped';
      const skip = attachmentJson<NonNullable<CaseResult['skip']>>(result, 'skip') ?? { reason: 'not available', detail };
      this.keep(test.id, { ...base, status: 'skipped', skip });
      return;
    }
    if (!record) {
      const why = result.errors.map((e) => e.message ?? String(e.value)).join('\n') || `test ended with status ${result.status}`;
      this.keep(test.id, { ...base, status: 'harness-error', harnessError: stripAnsi(why) });
      return;
    }
    const shot = result.attachments.find((a) => a.name === 'screenshot' && a.path && existsSync(a.path));
    if (shot?.path) {
      // Repeats (--repeat-each) each keep their own screenshot beside their own record; the file
      // keeps the format the client wrote (JPEG, or PNG from a WebDriver client).
      const dest = join(
        this.runDir,
        'screenshots',
        client,
        `${caseId}${test.repeatEachIndex ? `.repeat-${test.repeatEachIndex}` : ''}${extname(shot.path) || '.png'}`,
      );
      mkdirSync(join(this.runDir, 'screenshots', client), { recursive: true });
      copyFileSync(shot.path, dest);
      record.screenshot = relative(this.runDir, dest);
    } else {
      delete record.screenshot;
    }
    // The comparison with expectations/ decides this run's exit status (kept for its summary and
    // for a retried case's first attempt) but is not stored: a stored run is judged when read.
    const kept: CaseResult = { ...base, status: 'observed', record };
    if (expectation?.status) this.expectationOf.set(kept, expectation.status);
    this.keep(test.id, kept);
  }

  async onEnd(_result: FullResult): Promise<void> {
    if (this.results.length === 0) {
      if (this.counts.passed + this.counts.failed) console.log(`browsers: ${this.counts.passed} passed, ${this.counts.failed} failed`);
      return;
    }
    this.results.push(...this.leftOut);
    const require = createRequire(import.meta.url);
    for (const { client, ms } of this.launches.values()) {
      const c = this.clients[client];
      if (c) c.launches = [...(c.launches ?? []), ms];
    }
    const teardowns = readTeardowns();
    const results: RunResults = {
      format: RESULTS_FORMAT,
      run: {
        id: this.id,
        startedAt: this.started.toISOString(),
        finishedAt: new Date().toISOString(),
        mode: process.env.CC_EXPECTATIONS === 'observe' ? 'observe' : 'enforce',
        host: { os: `${os.type()} ${os.release()}`, arch: os.arch(), node: process.version },
        playwright: (require('@playwright/test/package.json') as { version: string }).version,
        ...(gitCommit() ? { commit: gitCommit() } : {}),
        ...(this.workers ? { workers: this.workers } : {}),
        ...(teardowns.length ? { teardowns } : {}),
        ...(this.shard ? { shard: this.shard } : {}),
      },
      clients: this.clients,
      fixtures: this.fixtures,
      results: this.results.sort((a, b) => a.caseId.localeCompare(b.caseId) || a.client.localeCompare(b.client)),
    };
    mkdirSync(this.runDir, { recursive: true });
    const resultsPath = writeResults(this.runDir, results);
    const { index } = writeReport(results, resultsPath);
    const errors = this.results.filter((r) => r.status === 'harness-error').length;
    const mismatches = this.results.filter((r) => {
      const s = this.expectationOf.get(r);
      return s && s.status !== 'match';
    }).length;
    const skipped = this.results.filter((r) => r.status === 'skipped').length;
    console.log(
      `\nconnect-conformance: ${this.results.length - skipped} case runs (${skipped} skipped: not applicable or unsupported), ${errors} harness error(s), ${mismatches} differing from expectations/`,
    );
    console.log(`  raw results: ${relative(process.cwd(), resultsPath)}`);
    console.log(`  report:      ${relative(process.cwd(), index)}`);
    console.log(`  ${formatReportSize(reportSize(this.runDir))}`);
    if (this.flaky.length)
      console.log(`flaky (passed on retry; mark with "intermittent" after npm run flake):\n  ${this.flaky.join('\n  ')}`);
    // The plain closing line CI tools read.
    console.log(
      `browsers: ${this.counts.passed} passed, ${this.counts.failed} failed${this.counts.skipped ? `, ${this.counts.skipped} skipped` : ''}`,
    );
  }
}

/** What each worker wrote when its lab closed (they are this process's children), then the files go. */
function readTeardowns(): WorkerTeardown[] {
  const dir = teardownDir(process.pid);
  if (!existsSync(dir)) return [];
  const all = readdirSync(dir).flatMap((f) => {
    try {
      return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as WorkerTeardown];
    } catch {
      return [];
    }
  });
  rmSync(dir, { recursive: true, force: true });
  return all;
}

function describeAttempt(r: CaseResult, e: ExpectationStatus | undefined): string {
  if (r.status === 'harness-error') return `harness error: ${(r.harnessError ?? '').split('\n')[0]}`;
  if (e?.status === 'mismatch')
    return e.differences.map((d) => `${d.fact} = ${JSON.stringify(d.observed)} (expected ${JSON.stringify(d.expected)})`).join(', ');
  return r.status;
}
