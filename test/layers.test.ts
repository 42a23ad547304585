/**
 * One-way layers: a folder of harness/ imports only from folders below it in the data flow
 * (fixtures → proxy script → typed evidence → facts → verdicts → report). Folders on one line
 * are independent of each other: the proxy, the origin and the client adapters never import one
 * another; the engine at the centre is the one place that wires them together.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** The allowed order, lowest first. Written once: the README's layout follows it. */
const LAYERS: readonly (readonly string[])[] = [
  ['vocabulary'],
  ['wire'],
  ['cases'],
  ['evidence'],
  ['proxy', 'origin', 'clients'],
  ['runner'],
  ['observe'],
  ['verdicts'],
  ['runs'],
  ['report'],
];

const HARNESS = join(import.meta.dirname, '..', 'harness');

function rank(folder: string): number {
  return LAYERS.findIndex((l) => l.includes(folder));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports (static, type-only, re-exports and dynamic) of a source text. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
}

/** "report/x.ts imports runs/y" style findings for every import that is not downward. */
function violations(files: { path: string; text: string }[]): string[] {
  return files.flatMap(({ path, text }) => {
    const from = path.split('/')[0]!;
    return importsOf(text).flatMap((spec) => {
      const target = normalize(join(dirname(path), spec));
      const to = target.split('/')[0]!;
      if (to.startsWith('..') || to === from) return [];
      if (rank(from) < 0) return [`${path}: folder "${from}" has no place in LAYERS`];
      if (rank(to) < 0) return [`${path} imports ${target}: folder "${to}" has no place in LAYERS`];
      return rank(to) < rank(from)
        ? []
        : [`${path} imports ${target}: "${to}" is ${rank(to) === rank(from) ? 'beside' : 'above'} "${from}"`];
    });
  });
}

describe('layers', () => {
  const files = sources(HARNESS).map((p) => ({ path: relative(HARNESS, p), text: readFileSync(p, 'utf8') }));

  it('every folder of harness/ has its place in the order', () => {
    const folders = new Set(files.map((f) => f.path.split('/')[0]!));
    expect([...folders].filter((f) => rank(f) < 0)).to.deep.equal([]);
  });

  it('no file imports from its own layer or above', () => {
    expect(violations(files)).to.deep.equal([]);
  });

  it('catches an upward and a sideways import (the check can fail)', () => {
    const found = violations([
      { path: 'cases/load.ts', text: "import { parseResponseHead } from '../proxy/h2-stream';" },
      { path: 'proxy/x.ts', text: "import type { ClientKind } from '../clients/client';" },
      { path: 'report/y.ts', text: "export { a } from '../runs/results';\nconst m = await import('../vocabulary/facts');" },
    ]);
    expect(found).to.deep.equal([
      'cases/load.ts imports proxy/h2-stream: "proxy" is above "cases"',
      'proxy/x.ts imports clients/client: "clients" is beside "proxy"',
    ]);
  });
});
