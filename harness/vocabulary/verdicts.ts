/**
 * What a cell of the matrix can say. Verdicts judge a client against a requirement; the other
 * states say why there is no verdict. One severity order serves the worst-of-checks rule, run
 * comparison and sorting.
 */
import type { Level } from './requirements';

/**
 * "not measured": the check saw neither the consequence nor its absence on a visit that reached the
 * origin (or the answer under test was never served): shown, never a judgement of the client.
 */
export const VERDICTS = ['pass', 'fail', 'non-strict', 'informational', 'not measured'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Why a case did not run in a client: the fixture does not apply, the client cannot do it, or it is not installed. */
export const SKIP_REASONS = ['not applicable', 'unsupported', 'not available'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** "blind": the case ran, but its positive control did not show the consequence in this client, so nothing it saw is a verdict. */
export type CellVerdict = Verdict | SkipReason | 'dependency failed' | 'blind' | 'harness error';

/** Every cell state in the order the report's totals and legend list them. */
export const CELL_ORDER: readonly CellVerdict[] = [
  'pass',
  'fail',
  'non-strict',
  'informational',
  'not measured',
  'dependency failed',
  'blind',
  'unsupported',
  'not applicable',
  'harness error',
  'not available',
];

/** Higher is worse. A state without a judgement of the client sits with "informational". */
export const SEVERITY: Record<CellVerdict, number> = {
  pass: 0,
  'not applicable': 0,
  informational: 1,
  'not measured': 1,
  blind: 1,
  unsupported: 1,
  'not available': 1,
  'dependency failed': 1,
  'non-strict': 2,
  fail: 3,
  'harness error': 4,
};

/** The worst of some verdicts ("pass" for none). */
export function worst<V extends CellVerdict>(verdicts: readonly V[]): V | 'pass' {
  return verdicts.reduce<V | 'pass'>((w, v) => (SEVERITY[v] > SEVERITY[w] ? v : w), 'pass');
}

/**
 * Which verdicts a fixture may give for a requirement of a given level: "fail" is reserved for a
 * broken MUST, "non-strict" for a broken SHOULD; permissive and non-normative rows only inform.
 */
export function allowedVerdicts(level: Level): readonly Verdict[] {
  switch (level) {
    case 'MUST':
    case 'MUST (security)':
    case 'MUST NOT (server)':
    case 'SHALL':
      return ['pass', 'fail', 'informational', 'not measured'];
    case 'SHOULD':
      return ['pass', 'non-strict', 'informational', 'not measured'];
    case 'MAY':
    case 'note':
      return ['pass', 'informational', 'not measured'];
  }
}
