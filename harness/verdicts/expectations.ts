/**
 * Committed expectations: for each client lineage, the facts each fixture declared as mattering,
 * as last observed on purpose. The browser suite is red when an observation differs, so a browser
 * change is a visible event; `npm run expectations:update` re-records after a deliberate upgrade.
 *
 * Keyed by lineage (chromium, firefox), not by version: a patch or major update that behaves the
 * same stays green, and the version the expectations were recorded with is kept for the message.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Fixture, intermittentFacts } from '../cases/schema';
import type { FactName, Facts, FactValue } from '../vocabulary/facts';

export const EXPECTATIONS_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../expectations');

export interface ExpectationFile {
  client: string;
  recordedWith: string;
  updatedAt: string;
  /** A list of values marks a fact seen to vary between runs of the same browser (intermittent). */
  cases: Record<string, Partial<Record<FactName, FactValue | FactValue[]>>>;
}

export function expectationPath(client: string, dir = EXPECTATIONS_DIR): string {
  return join(dir, `${client}.json`);
}

export function loadExpectations(client: string, dir = EXPECTATIONS_DIR): ExpectationFile | undefined {
  const p = expectationPath(client, dir);
  if (!existsSync(p)) return undefined;
  const data = JSON.parse(readFileSync(p, 'utf8')) as ExpectationFile;
  if (typeof data !== 'object' || !data || typeof data.cases !== 'object') throw new Error(`${p}: not an expectations file (no "cases")`);
  return data;
}

/** Where a client project's expectations come from when a run is judged. */
export type ExpectationSource = (client: string) => ExpectationFile | undefined;

/** The committed expectations/ files, each read once. */
export function committedExpectations(dir = EXPECTATIONS_DIR): ExpectationSource {
  const read = new Map<string, ExpectationFile | undefined>();
  return (client) => {
    if (!read.has(client)) read.set(client, loadExpectations(client, dir));
    return read.get(client);
  };
}

export type ExpectationStatus =
  | { status: 'match' }
  | {
      status: 'mismatch';
      differences: { fact: FactName; expected: FactValue | FactValue[] | undefined; observed: FactValue | undefined }[];
      recordedWith: string;
    }
  | { status: 'missing'; reason: string };

export function checkExpectations(
  fixture: Pick<Fixture, 'id' | 'observe'> & Partial<Pick<Fixture, 'intermittent'>>,
  facts: Facts,
  file: ExpectationFile | undefined,
): ExpectationStatus {
  const expected = file?.cases[fixture.id];
  if (!file || !expected) {
    return {
      status: 'missing',
      reason: `no expectation recorded for "${fixture.id}"${file ? '' : ' (no expectations file for this client)'}`,
    };
  }
  const accepts = (want: FactValue | FactValue[] | undefined, have: FactValue | undefined) =>
    Array.isArray(want) ? want.some((w) => String(w) === String(have)) : String(want) === String(have);
  // A fact the fixture marks intermittent for this client accepts every value seen.
  const flaky = intermittentFacts(fixture, file.client);
  const differences = fixture.observe
    .filter((f) => !accepts(expected[f], facts[f]) && !accepts(flaky[f], facts[f]))
    .map((f) => ({ fact: f, expected: expected[f], observed: facts[f] }));
  return differences.length ? { status: 'mismatch', differences, recordedWith: file.recordedWith } : { status: 'match' };
}

export function pinnedFacts(fixture: Pick<Fixture, 'observe'>, facts: Facts): Partial<Record<FactName, FactValue>> {
  return Object.fromEntries(fixture.observe.map((f) => [f, facts[f] ?? '(not observed)']));
}

export function writeExpectations(file: ExpectationFile, dir = EXPECTATIONS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const sorted = { ...file, cases: Object.fromEntries(Object.entries(file.cases).sort(([a], [b]) => a.localeCompare(b))) };
  const p = expectationPath(file.client, dir);
  writeFileSync(p, JSON.stringify(sorted, null, 2) + '\n');
  return p;
}

export function describeMismatch(client: string, caseId: string, s: ExpectationStatus): string {
  if (s.status === 'match') return '';
  if (s.status === 'missing') return `${client} / ${caseId}: ${s.reason}. Record it with: npm run expectations:update`;
  return [
    `${client} / ${caseId}: observation differs from expectations/${client}.json (recorded with ${s.recordedWith}):`,
    ...s.differences.map((d) => `  ${d.fact}: expected ${JSON.stringify(d.expected)}, observed ${JSON.stringify(d.observed)}`),
    'If the browser changed on purpose, re-record with: npm run expectations:update',
  ].join('\n');
}
