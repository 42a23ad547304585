/**
 * What `npm run case` and `npm run serve` print once a case has run: the verdict per requirement
 * (h2spec's shape: requirement text, acceptable outcomes, observed, verdict), every fact, the
 * expectation check, the navigations and the wire both ways.
 */
import type { LoadedFixture } from '../../harness/cases/load';
import type { CaseRecord } from '../../harness/evidence/record';
import { failureCode, failureText } from '../../harness/evidence/failure';
import { computeFacts } from '../../harness/observe/facts';
import { evaluateChecksFor, worstVerdict } from '../../harness/verdicts/evaluate';
import { uncontrolledBecause } from '../../harness/verdicts/controls';
import { cellSeverity } from '../../harness/verdicts/severity';
import { checkExpectations, describeMismatch, loadExpectations } from '../../harness/verdicts/expectations';
import { describeFirstProxy, describeOriginEvent, sessionLogLines, wireLogLines } from '../../harness/report/wire-text';
import { FACTS, type FactName } from '../../harness/vocabulary/facts';
import { requirement } from '../../harness/vocabulary/requirements';

const show = (v: unknown) => (Array.isArray(v) ? v.map(String).join(' | ') : String(v));

/** Prints the case's result; returns whether it differs from expectations/ (for the exit code). */
export function printCaseResult({
  fixture,
  control,
  project,
  record,
  controlRecord,
  line = (s = '') => console.log(s),
  compare = true,
}: {
  fixture: LoadedFixture;
  control?: LoadedFixture;
  project: string;
  record: CaseRecord;
  controlRecord?: CaseRecord;
  line?: (s?: string) => void;
  /** Check against expectations/ (npm run serve drives a client the suite has none for). */
  compare?: boolean;
}): { differs: boolean } {
  const facts = computeFacts(record);
  const checks = evaluateChecksFor(fixture, project, facts);
  const own = worstVerdict(checks);
  const controlFacts = controlRecord ? computeFacts(controlRecord) : undefined;
  const uncontrolled = uncontrolledBecause(fixture, own, control, controlFacts ? { facts: controlFacts } : undefined);
  const severity = cellSeverity(checks);
  line(
    `${record.client.label} ${record.client.version}: ${(uncontrolled ? 'unsupported' : own).toUpperCase()}${severity ? ` (severity: ${severity})` : ''}`,
  );
  if (control)
    line(
      `control ${control.id}: ${uncontrolled ? `did not show the consequence — ${uncontrolled} (own verdict: ${own})` : `showed the consequence (${control.controls?.consequence})`}`,
    );
  line('\nRequirements');
  fixture.checks.forEach((c, i) => {
    const req = requirement(c.requirement);
    const result = checks[i]!;
    const used = [...new Set(c.outcomes.flatMap((o) => Object.keys(o.when)))] as FactName[];
    line(`  ${c.requirement} (${req?.level}) ${req?.where ?? ''}`);
    line(`    ${req?.statement.replaceAll('`', '') ?? ''}`);
    for (const o of c.outcomes)
      line(
        `    expected: ${Object.entries(o.when)
          .map(([k, v]) => `${k} = ${show(v)}`)
          .join(', ')} → ${o.verdict} (${o.means})`,
      );
    line(`    otherwise: ${c.otherwise.verdict} (${c.otherwise.means})`);
    line(`    observed: ${used.map((f) => `${f} = ${show(facts[f] ?? '(not observed)')}`).join(', ')}`);
    line(`    verdict:  ${result.verdict} — ${result.means}`);
  });

  line('\nFacts (* = observed by this fixture, pinned in expectations/)');
  for (const f of Object.keys(facts) as FactName[])
    line(
      `  ${fixture.observe.includes(f) ? '*' : ' '} ${f.padEnd(24)} ${show(facts[f])}${FACTS[f].stable ? '' : '   (varies run to run)'}`,
    );

  const expectation = compare ? checkExpectations(fixture, facts, loadExpectations(project)) : undefined;
  if (expectation) {
    line(`\nExpectations (expectations/${project}.json): ${expectation.status === 'match' ? 'match' : ''}`);
    if (expectation.status !== 'match') line(describeMismatch(project, fixture.id, expectation).replace(/^/gm, '  '));
  }

  for (const [i, nav] of (record.visits ?? (record.navigation ? [record.navigation] : [])).entries()) {
    line(`\nNavigation${record.visits ? ` ${i + 1}` : ''}: ${nav.url}`);
    line(
      `  ${nav.committed ? `committed, HTTP ${nav.status ?? '?'}` : `not committed: ${nav.failure ? failureCode(nav.failure) : 'no error'}`} in ${nav.durationMs} ms; final URL ${nav.finalUrl}`,
    );
    if (nav.failure) line(`  as reported (${nav.failure.by}): ${failureText(nav.failure).split('\n').slice(0, 4).join('\n       ')}`);
  }
  line(
    `\nWire log: ${record.connections.length} connection(s), ms from case start; the harness closed the context at ${record.harness.contextClosedAt} ms`,
  );
  for (const l of wireLogLines(record.connections)) line(l);
  if (record.firstProxy) {
    line(`\n${describeFirstProxy(record.firstProxy)}`);
    for (const l of wireLogLines(record.firstProxy.connections)) line(l);
  }
  for (const session of record.h2Sessions ?? []) {
    line(
      `\nHTTP/2 session ${session.id} (client port ${session.clientPort}, opened at ${session.openedAt} ms${session.closedAt !== undefined ? `, closed at ${session.closedAt} ms` : ''})`,
    );
    for (const l of sessionLogLines(session)) line(`${l.t.toFixed(1).padStart(9)} ms  ${l.text}`);
  }
  if (record.origin.length) {
    line('\nOrigin behind the tunnel');
    for (const o of record.origin) line(`${o.t.toFixed(1).padStart(9)} ms  ${describeOriginEvent(o)}`);
  }
  for (const n of record.harness.notes) line(`note: ${n}`);
  // A case with no expectation yet (a new one, or one from an outside folder) ran: only a difference fails.
  return { differs: expectation?.status === 'mismatch' };
}
