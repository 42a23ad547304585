/**
 * How big a run's report folder is, and in which part: printed at the end of npm run report,
 * npm run render and the Playwright reporter's summary, so a growing report is seen when it grows.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_FILES } from '../runs/results';

export interface ReportSize {
  /** The raw results (results.json.gz, or an older run's results.json). */
  results: number;
  /** screenshots/ */
  screenshots: number;
  /** cases/: one page per case. */
  casePages: number;
  /** junit.xml */
  junit: number;
  /** Every other file: the matrix, findings, coverage and summary pages, anything else left there. */
  other: number;
  /** All of it, in bytes. */
  total: number;
}

function bytesUnder(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, name) => n + bytesUnder(join(path, name)), 0);
}

/** Which part a top-level entry of a run folder is; anything not named is "other". */
const PARTS = new Map<string, Exclude<keyof ReportSize, 'total'>>([
  ...RESULTS_FILES.map((name) => [name, 'results'] as const),
  ['screenshots', 'screenshots'],
  ['cases', 'casePages'],
  ['junit.xml', 'junit'],
]);

/** Bytes per part of a run folder (reports/runs/<id>/); a part that is not there counts 0. */
export function reportSize(runDir: string): ReportSize {
  const size: ReportSize = { results: 0, screenshots: 0, casePages: 0, junit: 0, other: 0, total: 0 };
  if (!existsSync(runDir)) return size;
  for (const name of readdirSync(runDir)) {
    const bytes = bytesUnder(join(runDir, name));
    const part = PARTS.get(name) ?? 'other';
    size[part] += bytes;
    size.total += bytes;
  }
  return size;
}

/** Megabytes (10^6 bytes), one decimal. */
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** One line: "report size: 21.4 MB (results 11.0 MB, screenshots 9.8 MB, case pages 0.4 MB, junit 2.2 MB, other 0.2 MB)". */
export function formatReportSize(s: ReportSize): string {
  return `report size: ${mb(s.total)} (results ${mb(s.results)}, screenshots ${mb(s.screenshots)}, case pages ${mb(s.casePages)}, junit ${mb(s.junit)}, other ${mb(s.other)})`;
}
