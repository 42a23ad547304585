/**
 * Loads fixtures/*.json (recursively), validates each against the schema and the cross-field
 * rules the schema cannot express, and fails with the file, the field and the reason.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { fixtureSchema, type Fixture } from './schema';
import { allowedVerdicts, requirement } from './requirements';
import { parseResponseHead } from '../proxy/h2-stream';

export const FIXTURES_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures');

/** The fixture directory a run uses: CC_FIXTURES_DIR (another set of cases) or fixtures/. */
export function fixturesDir(): string {
  return process.env.CC_FIXTURES_DIR ? resolve(process.env.CC_FIXTURES_DIR) : FIXTURES_DIR;
}

export interface LoadedFixture extends Fixture {
  /** Path relative to the repository root, for messages and the report. */
  file: string;
}

export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { field: string; message: string }[],
  ) {
    super(`${file}: invalid fixture\n${problems.map((p) => `  - ${p.field || '(top level)'}: ${p.message}`).join('\n')}`);
    this.name = 'FixtureError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** The cross-field rules; each returns problems as field + message. */
function crossCheck(f: Fixture, fileId: string): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (f.id !== fileId) problems.push({ field: 'id', message: `"${f.id}" must match the file name "${fileId}.json"` });

  f.proxy.exchanges.forEach((ex, i) => {
    const last = i === f.proxy.exchanges.length - 1;
    if (last && ex.when) problems.push({ field: `proxy.exchanges[${i}].when`, message: 'the last exchange must have no "when", so every request gets an answer' });
    const terminal = ex.steps.findIndex((s) => ['tunnel', 'fin', 'close', 'reset'].includes(s.do));
    if (terminal >= 0 && terminal < ex.steps.length - 1) {
      problems.push({ field: `proxy.exchanges[${i}].steps[${terminal + 1}]`, message: `nothing can follow the terminal step "${ex.steps[terminal]!.do}"` });
    }
  });

  if (f.transports.includes('h2')) {
    // Over HTTP/2 a response must be a parseable head (it becomes HEADERS); raw malformed bytes
    // have no HTTP/2 form, so such a fixture cannot list "h2".
    f.proxy.exchanges.forEach((ex, i) =>
      ex.steps.forEach((st, j) => {
        if (st.do !== 'send' || st.segments || st.hex !== undefined || st.text === undefined) return;
        if (/^HTTP\//.test(st.text) && !parseResponseHead(Buffer.from(st.text.replaceAll('{host}', 'h'), 'latin1'))) {
          problems.push({ field: `proxy.exchanges[${i}].steps[${j}].text`, message: 'not a complete, well-formed response head, so it has no HTTP/2 form: remove "h2" from "transports"' });
        }
        if (/^HTTP\/1\.[01] 101/.test(st.text)) problems.push({ field: `proxy.exchanges[${i}].steps[${j}].text`, message: 'HTTP/2 has no 101: remove "h2" from "transports"' });
      }),
    );
  }

  const checked = new Set(f.checks.map((c) => c.requirement));
  f.requirements.forEach((id, i) => {
    if (!checked.has(id)) problems.push({ field: `requirements[${i}]`, message: `"${id}" has no entry in "checks"` });
  });
  const observed = new Set(f.observe);
  f.checks.forEach((c, i) => {
    if (!f.requirements.includes(c.requirement)) problems.push({ field: `checks[${i}].requirement`, message: `"${c.requirement}" is not listed in "requirements"` });
    const level = requirement(c.requirement)!.level;
    const allowed = allowedVerdicts(level);
    [...c.outcomes.map((o, j) => ({ v: o.verdict, field: `checks[${i}].outcomes[${j}]` })), { v: c.otherwise.verdict, field: `checks[${i}].otherwise` }].forEach(({ v, field }) => {
      if (!allowed.includes(v)) problems.push({ field: `${field}.verdict`, message: `"${v}" is not a verdict for a ${level} requirement (allowed: ${allowed.join(', ')})` });
    });
    c.outcomes.forEach((o, j) => {
      if (Object.keys(o.when).length === 0) problems.push({ field: `checks[${i}].outcomes[${j}].when`, message: 'must name at least one fact (use "otherwise" for the fallback)' });
      for (const fact of Object.keys(o.when)) {
        if (!observed.has(fact as never)) problems.push({ field: `checks[${i}].outcomes[${j}].when.${fact}`, message: `fact "${fact}" decides a verdict, so it must be listed in "observe"` });
      }
    });
  });

  for (const [browser, h] of Object.entries(f.history2015 ?? {})) {
    if (!h) continue;
    if (Object.keys(h.facts).length === 0 && !h.comparable) {
      problems.push({ field: `history2015.${browser}.comparable`, message: 'say why the 2015 observation is not comparable when "facts" is empty' });
    }
    for (const fact of Object.keys(h.facts)) {
      if (!observed.has(fact as never)) problems.push({ field: `history2015.${browser}.facts.${fact}`, message: `fact "${fact}" is compared with 2015, so it must be listed in "observe"` });
    }
  }
  return problems;
}

export function parseFixture(file: string, text: string): LoadedFixture {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(file, [{ field: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  const parsed = fixtureSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new FixtureError(
      file,
      parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: describeIssue(i) })),
    );
  }
  const problems = crossCheck(parsed.data, basename(file, '.json'));
  if (problems.length) throw new FixtureError(file, problems);
  return { ...parsed.data, file };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  let message = issue.message;
  if (issue.code === 'invalid_union' && 'errors' in issue) {
    const inner = [...new Set(issue.errors.flat().map((e) => `${fieldPath(e.path) ? fieldPath(e.path) + ': ' : ''}${e.message}`))];
    if (inner.length) message += ` (${inner.join('; ')})`;
  }
  if (issue.input !== undefined && typeof issue.input !== 'object') message += `; got ${JSON.stringify(issue.input).slice(0, 80)}`;
  return message;
}

function listJson(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      let isDir = false;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        // a dangling link or a file we may not stat: reading it reports the problem with its name
      }
      if (isDir) return listJson(p);
      return name.endsWith('.json') && name !== 'schema.json' ? [p] : [];
    });
}

/** Loads every fixture; all problems in all files are reported together. */
export function loadFixtures(dir = fixturesDir()): LoadedFixture[] {
  const root = resolve(dir, '..');
  const errors: FixtureError[] = [];
  const fixtures: LoadedFixture[] = [];
  for (const path of listJson(dir)) {
    const file = relative(root, path);
    try {
      fixtures.push(parseFixture(file, readFileSync(path, 'utf8')));
    } catch (e) {
      if (e instanceof FixtureError) errors.push(e);
      else errors.push(new FixtureError(file, [{ field: '', message: `unreadable: ${(e as Error).message}` }]));
    }
  }
  const seen = new Map<string, string>();
  for (const f of fixtures) {
    const other = seen.get(f.id);
    if (other) errors.push(new FixtureError(f.file, [{ field: 'id', message: `"${f.id}" is also used by ${other}` }]));
    seen.set(f.id, f.file);
  }
  if (errors.length) throw new AggregateFixtureError(errors);
  return fixtures;
}

export class AggregateFixtureError extends Error {
  constructor(readonly errors: FixtureError[]) {
    super(`${errors.length} invalid fixture file(s):\n${errors.map((e) => e.message).join('\n')}`);
    this.name = 'FixtureError';
  }
}
