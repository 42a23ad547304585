/**
 * The raw results of one run: written once per run under reports/runs/<id>/results.json, read by
 * the renderer, the comparer and the expectations updater. Facts and verdicts are not stored:
 * they are recomputed from the records, with the fixtures as they were when the run was made.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedFixture } from '../cases/load';
import type { CaseRecord } from '../observe/record';
import type { ExpectationStatus } from '../verdicts/expectations';

export const RESULTS_FORMAT = 'connect-conformance/results@1';
/** Where runs and the report are written: reports/, or CC_REPORTS_DIR (the harness's own tests use a scratch one). */
export const REPORTS_DIR = process.env.CC_REPORTS_DIR ? resolve(process.env.CC_REPORTS_DIR) : resolve(fileURLToPath(new URL('.', import.meta.url)), '../../reports');

export interface ClientRun {
  label: string;
  /** The browser engine (chromium, firefox) and how it reached the proxy; absent in older runs (= h1). */
  engine?: string;
  transport?: string;
  available: boolean;
  version?: string;
  executablePath?: string;
  launchMs?: number;
  launchConfig?: Record<string, unknown>;
  note?: string;
}

export type CaseStatus = 'observed' | 'harness-error' | 'skipped';

export interface CaseResult {
  caseId: string;
  client: string;
  status: CaseStatus;
  durationMs: number;
  record?: CaseRecord;
  harnessError?: string;
  expectation?: ExpectationStatus;
  /** When the case was retried in CI: what its first attempt saw (a one-off flip). */
  flakyFirstAttempt?: string;
  /** Refused connections for hosts no case owned (background traffic), during this case. */
  strays?: number;
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
  };
  clients: Record<string, ClientRun>;
  fixtures: LoadedFixture[];
  results: CaseResult[];
}

export function readResults(path: string): RunResults {
  let data: RunResults;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as RunResults;
  } catch (e) {
    throw new Error(`${path}: not a readable results file: ${(e as Error).message}`);
  }
  if (data.format !== RESULTS_FORMAT) throw new Error(`${path}: not a ${RESULTS_FORMAT} file (format: ${JSON.stringify(data.format)})`);
  return data;
}

/** The newest run directory under reports/runs, if any. */
export function latestResultsPath(dir = REPORTS_DIR): string | undefined {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return undefined;
  const ids = readdirSync(runs).filter((d) => existsSync(join(runs, d, 'results.json'))).sort();
  const last = ids[ids.length - 1];
  return last ? join(runs, last, 'results.json') : undefined;
}
