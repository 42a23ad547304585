/**
 * Loads fixtures/*.json (recursively), validates each against the schema and the cross-field
 * rules the schema cannot express, and fails with the file, the field and the reason.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { fixtureSchema, GROUP_FOLDERS, H2_STEPS, intermittentFacts, type Fixture } from './schema';
import { derive } from './derive';
import { expandFamily, VariantError } from './families';
import { expandMatrix, isMatrixFile } from './matrix';
import { requirement } from '../vocabulary/requirements';
import { allowedVerdicts } from '../vocabulary/verdicts';
import { invalidValue, type FactName, type FactValue } from '../vocabulary/facts';
import { parseResponseHead } from '../wire/http-head';

export const FIXTURES_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures');

/** The fixture directory a run uses: CC_FIXTURES_DIR (another set of cases) or fixtures/. */
export function fixturesDir(): string {
  return process.env.CC_FIXTURES_DIR ? resolve(process.env.CC_FIXTURES_DIR) : FIXTURES_DIR;
}

export interface LoadedFixture extends Fixture {
  /** Path relative to the repository root, for messages and the report. */
  file: string;
  /** The family file's id, when the case is one variant of a family. */
  family?: string;
}

type Problem = { field: string; message: string };

export class FixtureError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(`${file}: invalid fixture\n${problems.map((p) => `  - ${p.field || '(top level)'}: ${p.message}`).join('\n')}`);
    this.name = 'FixtureError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

/** Fields that moved: a clear word instead of "unrecognized key". */
const RETIRED: Record<string, string> = {
  requirements: 'is derived from "checks" now: remove it',
};

const TERMINAL = new Set(['tunnel', 'fin', 'close', 'reset', 'rst-stream']);

/** Every fact value a fixture writes down, with where: verdict rules, the 2015 record, intermittent lists. */
function factValues(f: Fixture): { field: string; fact: FactName; value: FactValue }[] {
  const each = (field: string, match: Partial<Record<FactName, FactValue | FactValue[]>>) =>
    Object.entries(match).flatMap(([fact, want]) =>
      (Array.isArray(want) ? want : [want]).map((value) => ({ field: `${field}.${fact}`, fact: fact as FactName, value })),
    );
  return [
    ...f.checks.flatMap((c, i) => c.outcomes.flatMap((o, j) => each(`checks[${i}].outcomes[${j}].when`, o.when))),
    ...Object.entries(f.history2015 ?? {}).flatMap(([b, h]) => (h ? each(`history2015.${b}.facts`, h.facts) : [])),
    ...Object.keys(f.intermittent ?? {}).flatMap((client) => each(`intermittent.${client}`, intermittentFacts(f, client))),
  ];
}

/** Placeholders the proxy and the origin fill at run time: any other {name} left in is a typo. */
const RUN_TIME_PLACEHOLDERS = new Set(['host']);

/** Every {placeholder} left in the bytes and URLs a fixture sends, with where. */
function leftPlaceholders(f: Fixture): Problem[] {
  const texts: { field: string; text: string }[] = [
    ...(f.client.urls ?? [f.client.url]).map((text, i) => ({ field: f.client.urls ? `client.urls[${i}]` : 'client.url', text })),
    ...f.proxy.exchanges.flatMap((ex, i) =>
      ex.steps.flatMap((s, j) =>
        s.do !== 'send'
          ? []
          : [
              ...(s.text !== undefined ? [{ field: `proxy.exchanges[${i}].steps[${j}].text`, text: s.text }] : []),
              ...(s.segments ?? []).flatMap((seg, k) =>
                'text' in seg ? [{ field: `proxy.exchanges[${i}].steps[${j}].segments[${k}].text`, text: seg.text }] : [],
              ),
            ],
      ),
    ),
    ...Object.entries(f.origin.routes ?? {}).flatMap(([path, r]) =>
      r.headers.map((text, i) => ({ field: `origin.routes.${path}.headers[${i}]`, text })),
    ),
  ];
  return texts.flatMap(({ field, text }) =>
    [...text.matchAll(/\{([a-z][a-z0-9-]*)\}/g)]
      .filter((m) => !RUN_TIME_PLACEHOLDERS.has(m[1]!))
      .map((m) => ({
        field,
        message: `{${m[1]}} is not filled by anything (only {host} is filled at run time; a family fills the names in its variants' "vars"): it would be sent as literal bytes`,
      })),
  );
}

/** The cross-field rules; each returns problems as field + message. */
function crossCheck(f: Fixture): Problem[] {
  const problems: Problem[] = [...leftPlaceholders(f)];
  if (f.proxy.clientCertificate && f.transports.includes('h1'))
    problems.push({
      field: 'proxy.clientCertificate',
      message: 'a client certificate request needs an HTTPS proxy: list only "h1-tls" and "h2" in "transports"',
    });
  if (f.proxy.certificate && f.transports.includes('h1'))
    problems.push({
      field: 'proxy.certificate',
      message: 'a proxy certificate needs an HTTPS proxy: list only "h1-tls" and "h2" in "transports"',
    });
  const h2Only = f.transports.some((t) => t !== 'h2');
  if (f.proxy.first && (f.transports.length !== 1 || f.transports[0] !== 'list'))
    problems.push({ field: 'proxy.first', message: 'a first proxy belongs to a proxy list: list only "list" in "transports"' });
  if (f.proxy.first && f.id.length > 40)
    problems.push({ field: 'id', message: 'at most 40 characters for a case with a first proxy (the host also carries its port)' });
  const stepsScriptSession = f.proxy.exchanges.some((ex) => ex.steps.some((st) => H2_STEPS.has(st.do)));
  if (f.proxy.session && h2Only && !stepsScriptSession)
    problems.push({ field: 'proxy.session', message: 'an HTTP/2 session profile needs the h2 proxy: list only "h2" in "transports"' });
  f.proxy.exchanges.forEach((ex, i) => {
    if (h2Only)
      ex.steps.forEach((st, j) => {
        if (H2_STEPS.has(st.do))
          problems.push({
            field: `proxy.exchanges[${i}].steps[${j}]`,
            message: `"${st.do}" exists only over HTTP/2: list only "h2" in "transports"`,
          });
      });
    const last = i === f.proxy.exchanges.length - 1;
    if (last && ex.when)
      problems.push({
        field: `proxy.exchanges[${i}].when`,
        message: 'the last exchange must have no "when", so every request gets an answer',
      });
    if (ex.when?.visit !== undefined && ex.when.visit > f.client.visits)
      problems.push({
        field: `proxy.exchanges[${i}].when.visit`,
        message: `the case makes ${f.client.visits} visit(s), so visit ${ex.when.visit} never comes`,
      });
    const terminal = ex.steps.findIndex((s) => TERMINAL.has(s.do));
    if (terminal >= 0 && terminal < ex.steps.length - 1) {
      problems.push({
        field: `proxy.exchanges[${i}].steps[${terminal + 1}]`,
        message: `nothing can follow the terminal step "${ex.steps[terminal]!.do}"`,
      });
    }
  });

  if (f.transports.includes('h2')) {
    // Over HTTP/2 a response must be a parseable head (it becomes HEADERS); raw malformed bytes
    // have no HTTP/2 form, so such a fixture cannot list "h2".
    f.proxy.exchanges.forEach((ex, i) => {
      ex.steps.forEach((st, j) => {
        if (st.do !== 'send' || st.segments || st.hex !== undefined || st.text === undefined || !/^HTTP\//.test(st.text)) return;
        const field = `proxy.exchanges[${i}].steps[${j}].text`;
        const head = parseResponseHead(Buffer.from(st.text.replaceAll('{host}', 'h'), 'latin1'));
        if (!head || head.malformedLines.length)
          problems.push({
            field,
            message: 'not a complete, well-formed response head, so it has no HTTP/2 form: remove "h2" from "transports"',
          });
        else if (head.status === 101) problems.push({ field, message: 'HTTP/2 has no 101: remove "h2" from "transports"' });
      });
    });
  }

  f.checks.forEach((c, i) => {
    const level = requirement(c.requirement)!.level;
    const allowed = allowedVerdicts(level);
    [
      ...c.outcomes.map((o, j) => ({ v: o.verdict, field: `checks[${i}].outcomes[${j}]` })),
      { v: c.otherwise.verdict, field: `checks[${i}].otherwise` },
    ].forEach(({ v, field }) => {
      if (!allowed.includes(v))
        problems.push({
          field: `${field}.verdict`,
          message: `"${v}" is not a verdict for a ${level} requirement (allowed: ${allowed.join(', ')})`,
        });
    });
    c.outcomes.forEach((o, j) => {
      if (Object.keys(o.when).length === 0)
        problems.push({
          field: `checks[${i}].outcomes[${j}].when`,
          message: 'must name at least one fact (use "otherwise" for the fallback)',
        });
    });
  });
  const twice = f.checks.map((c) => c.requirement).filter((r, i, all) => all.indexOf(r) !== i);
  for (const r of new Set(twice)) problems.push({ field: 'checks', message: `"${r}" is checked twice: one check per requirement` });

  for (const { field, fact, value } of factValues(f)) {
    const why = invalidValue(fact, value);
    if (why) problems.push({ field, message: why });
  }

  for (const [browser, h] of Object.entries(f.history2015 ?? {})) {
    if (h && Object.keys(h.facts).length === 0 && !h.comparable) {
      problems.push({
        field: `history2015.${browser}.comparable`,
        message: 'say why the 2015 observation is not comparable when "facts" is empty',
      });
    }
  }
  return problems;
}

type Issue = z.core.$ZodIssue;

/**
 * A short form is a union (a name, or the object written out): where the input's type picks one
 * branch, its issues are the problems, at their exact field, instead of one "Invalid input".
 */
function unionBranchIssues(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !issue.errors.length) return [issue];
  const wrongKind = (errs: Issue[]) => errs.every((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value'));
  const branches = issue.errors.filter((errs) => !wrongKind(errs));
  if (branches.length === 1) return branches[0]!.flatMap((e) => unionBranchIssues({ ...e, path: [...issue.path, ...e.path] } as Issue));
  const names = issue.errors.flat().find((e) => e.path.length === 0 && e.code === 'invalid_value' && 'values' in e);
  if (names && typeof issue.input === 'string' && names.code === 'invalid_value')
    return [
      {
        code: 'custom',
        path: issue.path,
        message: `"${issue.input}" is not a name this field knows (known: ${names.values.map(String).join(', ')}); or write the object out`,
      } as Issue,
    ];
  return [issue];
}

function validate(json: unknown): { fixture?: Fixture; problems: Problem[] } {
  const retired = json && typeof json === 'object' ? Object.keys(RETIRED).filter((k) => k in json) : [];
  if (retired.length) return { problems: retired.map((k) => ({ field: k, message: RETIRED[k]! })) };
  const parsed = fixtureSchema.safeParse(json, { reportInput: true });
  if (!parsed.success)
    return {
      problems: parsed.error.issues.flatMap(unionBranchIssues).map((i) => ({ field: fieldPath(i.path), message: describeIssue(i) })),
    };
  const fixture = derive(parsed.data);
  return { fixture, problems: crossCheck(fixture) };
}

/**
 * What a file's place says about its cases: the id is the file name, the group the folder (a
 * group folder under fixtures/, else "other"). Written anyway, they must agree.
 */
function fromPlace(file: string, json: Record<string, unknown>): { json: Record<string, unknown>; problems: Problem[] } {
  const id = basename(file, '.json');
  const folder = basename(dirname(file));
  const group = GROUP_FOLDERS[folder];
  const problems: Problem[] = [];
  if ('id' in json && json.id !== id)
    problems.push({ field: 'id', message: `${JSON.stringify(json.id)} differs from the file name "${id}.json": leave "id" out` });
  if (group && 'group' in json && json.group !== group)
    problems.push({
      field: 'group',
      message: `${JSON.stringify(json.group)} differs from the folder ${folder}/ (group "${group}"): leave "group" out, or move the file`,
    });
  return { json: { ...json, id, group: json.group ?? group ?? 'other' }, problems };
}

/** The cases a fixture file defines (one, or one per variant of a family), validated. */
export function parseFixtureFile(file: string, text: string): LoadedFixture[] {
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(text);
  } catch (e) {
    throw new FixtureError(file, [{ field: '', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  if (!parsedJson || typeof parsedJson !== 'object' || Array.isArray(parsedJson))
    throw new FixtureError(file, [{ field: '', message: 'must be a JSON object' }]);
  const fileId = basename(file, '.json');
  const placed = isMatrixFile(parsedJson)
    ? { json: parsedJson as Record<string, unknown>, problems: [] }
    : fromPlace(file, parsedJson as Record<string, unknown>);
  if (placed.problems.length) throw new FixtureError(file, placed.problems);
  let cases: ReturnType<typeof expandFamily>;
  try {
    cases = isMatrixFile(placed.json) ? expandMatrix(placed.json) : expandFamily(placed.json);
  } catch (e) {
    if (e instanceof VariantError) throw new FixtureError(file, e.problems);
    throw e;
  }
  const problems: Problem[] = [];
  const fixtures: LoadedFixture[] = [];
  for (const c of cases) {
    const { fixture, problems: found } = validate(c.json);
    problems.push(...found.map((p) => (c.origin ? { field: `${c.origin}: ${p.field || '(top level)'}`, message: p.message } : p)));
    if (fixture && !found.length) fixtures.push({ ...fixture, file, ...(c.origin ? { family: fileId } : {}) });
  }
  if (problems.length) throw new FixtureError(file, problems);
  return fixtures;
}

/** One fixture from a file that defines exactly one case. */
export function parseFixture(file: string, text: string): LoadedFixture {
  const all = parseFixtureFile(file, text);
  if (all.length !== 1) throw new FixtureError(file, [{ field: 'variants', message: `defines ${all.length} cases, not one` }]);
  return all[0]!;
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
      return name.endsWith('.json') && !name.endsWith('schema.json') ? [p] : [];
    });
}

const REPO_ROOT = resolve(FIXTURES_DIR, '..');

/** How messages name a file: from the repository root when it is in it, else its absolute path. */
function shownPath(path: string): string {
  return path.startsWith(REPO_ROOT + sep) ? relative(REPO_ROOT, path) : path;
}

/** Every case of one folder, with the problems of all its files. */
function loadSet(dir: string): { fixtures: LoadedFixture[]; errors: FixtureError[] } {
  const errors: FixtureError[] = [];
  const fixtures: LoadedFixture[] = [];
  for (const path of listJson(dir)) {
    const file = shownPath(path);
    try {
      fixtures.push(...parseFixtureFile(file, readFileSync(path, 'utf8')));
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
  return { fixtures, errors };
}

/** The cases a case needs to mean something: its dependencies and its positive control. */
const needs = (f: LoadedFixture) => [...f.dependsOn, ...(f.control ? [f.control] : [])];

/**
 * Loads every fixture; all problems in all files are reported together. A folder other than
 * fixtures/ (CC_FIXTURES_DIR) runs on its own: only its cases run, plus the built-in cases they
 * need (dependencies and controls it does not define itself, such as baseline-200).
 */
export function loadFixtures(dir = fixturesDir()): LoadedFixture[] {
  const own = loadSet(resolve(dir));
  const fixtures = [...own.fixtures];
  const errors = [...own.errors];
  if (resolve(dir) !== FIXTURES_DIR) {
    const builtIn = new Map(loadSet(FIXTURES_DIR).fixtures.map((f) => [f.id, f]));
    const have = new Set(fixtures.map((f) => f.id));
    for (let i = 0; i < fixtures.length; i++)
      for (const id of needs(fixtures[i]!)) {
        const f = builtIn.get(id);
        if (f && !have.has(id)) {
          have.add(id);
          fixtures.push(f);
        }
      }
  }
  errors.push(...dependencyProblems(fixtures));
  if (errors.length) throw new AggregateFixtureError(errors);
  return fixtures;
}

/** A path from id back to itself through dependsOn, if there is one. */
function cycleFrom(id: string, byId: Map<string, LoadedFixture>): string[] | undefined {
  const walk = (path: string[]): string[] | undefined => {
    for (const next of byId.get(path[path.length - 1]!)?.dependsOn ?? []) {
      if (next === id) return [...path, next];
      if (!path.includes(next)) {
        const found = walk([...path, next]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk([id]);
}

/** Every dependency and control names a case that exists, and no case depends on itself through others. */
function dependencyProblems(fixtures: LoadedFixture[]): FixtureError[] {
  const byId = new Map(fixtures.map((f) => [f.id, f]));
  const errors: FixtureError[] = [];
  for (const f of fixtures) {
    if (f.control && !byId.has(f.control))
      errors.push(new FixtureError(f.file, [{ field: 'control', message: `no case has the id "${f.control}"` }]));
    const unknown = f.dependsOn.filter((d) => !byId.has(d));
    if (unknown.length)
      errors.push(
        new FixtureError(f.file, [{ field: 'dependsOn', message: `no case has the id ${unknown.map((u) => `"${u}"`).join(', ')}` }]),
      );
    const loop = unknown.length ? undefined : cycleFrom(f.id, byId);
    if (loop) errors.push(new FixtureError(f.file, [{ field: 'dependsOn', message: `a dependency cycle: ${loop.join(' → ')}` }]));
  }
  return errors;
}

export class AggregateFixtureError extends Error {
  constructor(readonly errors: FixtureError[]) {
    super(`${errors.length} invalid fixture file(s):\n${errors.map((e) => e.message).join('\n')}`);
    this.name = 'FixtureError';
  }
}
