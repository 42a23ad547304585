/**
 * The raw results of one run: written once per run under reports/runs/<id>/results.json.gz (gzipped
 * JSON: `zcat` reads it; runs made before that have a plain results.json, and committed history
 * snapshots stay plain .json), read by the renderer, the comparer and the expectations updater. Facts and verdicts are not stored:
 * they are recomputed from the records, with the fixtures as they were when the run was made.
 */
import { readFileSync, readdirSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadedFixture } from '../cases/load';
import type { CaseRecord } from '../evidence/record';
import { checkExpectations, committedExpectations, type ExpectationSource, type ExpectationStatus } from '../verdicts/expectations';
import { computeFacts } from '../observe/facts';
import type { SkipReason } from '../vocabulary/verdicts';
import { migrateV1, RESULTS_FORMAT_V1 } from './migrate-v1';
import { migrateV2, RESULTS_FORMAT_V2, type V2Run } from './migrate-v2';

/**
 * v3: a visit's failure as the client reported it (v2 stored a normalised error code); v2: typed
 * evidence events (v1 kept display text in the wire log). Older files are converted on reading.
 */
export const RESULTS_FORMAT = 'connect-conformance/results@3';
/** Where runs and the report are written: reports/, or CC_REPORTS_DIR (the harness's own tests use a scratch one). */
export const REPORTS_DIR = process.env.CC_REPORTS_DIR
  ? resolve(process.env.CC_REPORTS_DIR)
  : resolve(fileURLToPath(new URL('.', import.meta.url)), '../../reports');

export interface ClientRun {
  label: string;
  /** The client kind (chromium, firefox, curl…: harness/clients/registry.ts); the project adds how it reached the proxy. */
  kind?: string;
  transport?: string;
  available: boolean;
  version?: string;
  executablePath?: string;
  launchMs?: number;
  /** Each worker's launch of this client (ms): a project spread over N workers launches N times. */
  launches?: number[];
  /** How many cases of this project ran at once (its Playwright workers). */
  concurrency?: number;
  launchConfig?: Record<string, unknown>;
  note?: string;
}

export interface WorkerTeardown {
  project: string;
  rssMiB: number;
  heapMiB: number;
  openSockets: number;
  /** CPU ms the worker's own process used (proxy, origin, evidence, driving the client). */
  cpuMs?: number;
  /** CPU ms of the client processes the worker launched and reaped (browsers, command clients). */
  clientCpuMs?: number;
}

/** Where workers leave their teardown figures for the run's reporter (the Playwright runner is their parent). */
export function teardownDir(runnerPid: number): string {
  return join(tmpdir(), `cc-run-${runnerPid}`);
}

export type CaseStatus = 'observed' | 'harness-error' | 'skipped';

export interface CaseResult {
  caseId: string;
  client: string;
  status: CaseStatus;
  durationMs: number;
  record?: CaseRecord;
  /** Why the harness failed (status "harness-error"). */
  harnessError?: string;
  /** Why the case did not run (status "skipped"). */
  skip?: { reason: SkipReason; detail: string };
  /** When the case was retried in CI: what its first attempt saw (a one-off flip). */
  flakyFirstAttempt?: string;
}

export interface RunResults {
  format: typeof RESULTS_FORMAT;
  run: {
    id: string;
    startedAt: string;
    finishedAt: string;
    mode: 'enforce' | 'observe';
    host: { os: string; arch: string; node: string };
    playwright: string;
    commit?: string;
    /** Playwright workers for the run (cases in flight at once, across all clients). */
    workers?: number;
    /** Each worker's memory and leftover proxy sockets when its lab closed. */
    teardowns?: WorkerTeardown[];
    /** This run is one shard of a sharded run (npx playwright test --shard=current/total). */
    shard?: { current: number; total: number };
    /** The runs this one was merged from (npm run merge). */
    merged?: { id: string; path: string; shard?: { current: number; total: number } }[];
  };
  clients: Record<string, ClientRun>;
  fixtures: LoadedFixture[];
  results: CaseResult[];
}

/**
 * What a run writes: its raw results as gzipped JSON (`zcat results.json.gz` shows it). The
 * 2026-12-02 full run's 40.8 MB of JSON is 11.0 MB at gzip's default level (-9: 0.3 % smaller),
 * written in 0.6 s and unpacked in 0.2 s.
 */
export const RESULTS_FILE = 'results.json.gz';
/** The names a run folder's raw results may have: a run's own (gzipped), then an older run's plain JSON. */
export const RESULTS_FILES = [RESULTS_FILE, 'results.json'] as const;

/** The raw results file in a run folder (results.json.gz, or an older run's results.json), if there is one. */
export function resultsFileIn(runDir: string): string | undefined {
  return RESULTS_FILES.map((name) => join(runDir, name)).find((p) => existsSync(p));
}

/** A results file as named, or the one in the run folder named; throws when a folder holds none. */
export function resolveResultsPath(pathOrDir: string): string {
  if (!existsSync(pathOrDir) || !statSync(pathOrDir).isDirectory()) return pathOrDir;
  const file = resultsFileIn(pathOrDir);
  if (!file) throw new Error(`${pathOrDir}: no ${RESULTS_FILES.join(' or ')} in this folder`);
  return file;
}

/** Writes a run's raw results into its folder as results.json.gz; returns the file's path. */
export function writeResults(runDir: string, run: RunResults): string {
  const path = join(runDir, RESULTS_FILE);
  writeFileSync(path, gzipSync(JSON.stringify(run)));
  return path;
}

/** A results file's JSON text: gzipped or not is told by its first bytes (1f 8b), whatever its name. */
export function readResultsText(path: string): string {
  const bytes = readFileSync(resolveResultsPath(path));
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

/**
 * Reads a run's raw results (a results.json.gz or results.json file, or a run folder holding one),
 * converting an older format so old runs still render.
 */
export function readResults(path: string): RunResults {
  const file = resolveResultsPath(path);
  let data: { format?: unknown };
  try {
    data = JSON.parse(readResultsText(file)) as { format?: unknown };
  } catch (e) {
    throw new Error(`${file}: not a readable results file: ${(e as Error).message}`);
  }
  if (data.format === RESULTS_FORMAT_V1) return migrateV2(migrateV1(data as never));
  if (data.format === RESULTS_FORMAT_V2) return migrateV2(data as V2Run);
  if (data.format !== RESULTS_FORMAT) throw new Error(`${file}: not a ${RESULTS_FORMAT} file (format: ${JSON.stringify(data.format)})`);
  return data as RunResults;
}

/** The raw results file of the newest run under reports/runs, if any (results.json.gz, or an older run's results.json). */
export function latestResultsPath(dir = REPORTS_DIR): string | undefined {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return undefined;
  const ids = readdirSync(runs)
    .filter((d) => resultsFileIn(join(runs, d)))
    .sort();
  const last = ids[ids.length - 1];
  return last ? resultsFileIn(join(runs, last)) : undefined;
}

/**
 * How each observed case run compares with the expectations (the committed ones unless told):
 * judged when read, never stored, so an old run is judged against today's expectations and code.
 */
export function expectationStatuses(
  run: RunResults,
  expectations: ExpectationSource = committedExpectations(),
): { result: CaseResult; status: ExpectationStatus }[] {
  const byId = new Map(run.fixtures.map((f) => [f.id, f]));
  return run.results.flatMap((result) => {
    const fixture = byId.get(result.caseId);
    if (result.status !== 'observed' || !result.record || !fixture) return [];
    return [{ result, status: checkExpectations(fixture, computeFacts(result.record), expectations(result.client)) }];
  });
}
