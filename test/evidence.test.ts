/**
 * Typed evidence: facts read typed fields only, and stored v1 runs (display-text wire logs) still
 * give the facts they gave when they were recorded.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { computeFacts } from '../harness/observe/facts';
import { readResults } from '../harness/runs/results';
import type { CaseRecord } from '../harness/evidence/record';
import { FACTS, invalidValue, type FactName } from '../harness/vocabulary/facts';

const HISTORY = join(import.meta.dirname, '..', 'reports', 'history');
const GOLDEN = join(import.meta.dirname, 'golden', 'history-2026-11-22.facts.json');
const snapshot = () => readResults(join(HISTORY, '2026-11-22_chromium-156.0.8078.79_firefox-153.7.0.json'));

/** Every string a person reads and nothing computes with, replaced: notes, raw error text, page text. */
function scrambleDisplayText(rec: CaseRecord): CaseRecord {
  const copy = structuredClone(rec);
  for (const c of copy.connections) for (const e of c.events) if (e.kind === 'note') e.text = '???';
  for (const c of copy.connections) for (const e of c.events) if (e.kind === 'exchange') e.note = '???';
  for (const c of copy.connections) for (const e of c.events) if (e.kind === 'connect-tcp-check') e.detail = '???';
  for (const nav of [copy.navigation, ...(copy.visits ?? [])])
    if (nav?.failure && 'message' in nav.failure && nav.failure.by !== 'automation') nav.failure.message = '???';
  copy.harness.notes = copy.harness.notes.map(() => '???');
  return copy;
}

describe('typed evidence', () => {
  it('converts the committed v1 history snapshot and gives, fact for fact, what the v1 code computed', () => {
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Record<string, unknown>>;
    const run = snapshot();
    expect(run.format).to.equal('connect-conformance/results@3');
    const differ: string[] = [];
    let compared = 0;
    for (const r of run.results) {
      if (!r.record) continue;
      const want = golden[`${r.caseId} [${r.client}]`];
      expect(want, `${r.caseId} [${r.client}] in the golden file`).to.not.equal(undefined);
      const now = computeFacts(r.record) as Record<string, unknown>;
      for (const [fact, value] of Object.entries(want!)) {
        compared++;
        if (JSON.stringify(now[fact]) !== JSON.stringify(value))
          differ.push(`${r.caseId} [${r.client}] ${fact}: ${JSON.stringify(value)} → ${JSON.stringify(now[fact])}`);
      }
    }
    expect(compared).to.be.greaterThan(4000);
    expect(differ).to.deep.equal([]);
  });

  it('facts do not change when every piece of display text in the evidence does', () => {
    for (const r of snapshot().results) {
      if (!r.record) continue;
      expect(computeFacts(scrambleDisplayText(r.record)), `${r.caseId} [${r.client}]`).to.deep.equal(computeFacts(r.record));
    }
  });

  it('every fact value computed from stored runs is within its documented vocabulary', () => {
    const problems = new Set<string>();
    for (const file of readdirSync(HISTORY).filter((f) => f.endsWith('.json'))) {
      for (const r of readResults(join(HISTORY, file)).results) {
        if (!r.record) continue;
        for (const [fact, value] of Object.entries(computeFacts(r.record))) {
          const why = invalidValue(fact as FactName, value);
          if (why) problems.add(`${r.client}: ${why}`);
        }
      }
    }
    expect([...problems]).to.deep.equal([]);
    expect(Object.keys(FACTS).length).to.be.greaterThan(30);
  });

  it('observe/ computes with typed fields only: no regular expression, split or display text in its source', () => {
    const dir = join(import.meta.dirname, '..', 'harness', 'observe');
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(source, file).to.not.match(/\.split\(|\.match\(|new RegExp|\/[^/\n*]+\/[gimsuy]*\.(test|exec)\(/);
      expect(source, file).to.not.match(/\.(note|text|detail)\b|error\??\.raw/);
    }
  });
});
