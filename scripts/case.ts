/**
 * npm run case -- <case-id> [--client chromium] [--transport h1|h1-tls|h2]
 *
 * Runs one fixture in one client, outside Playwright, and prints what h2spec prints on a failure:
 * each requirement's text and section, the acceptable outcomes, what was observed and the
 * verdict; then every fact, the expectation check, the navigation and the wire log both ways.
 *
 * Exit codes: 0 ran and matched expectations/ (or none is recorded for it yet, as for a new case:
 * the output says so), 1 differs from expectations/, 2 harness error,
 * 3 bad arguments (unknown case, client or transport; client not installed).
 */
import { loadFixtures, type LoadedFixture } from '../harness/cases/load';
import { CLIENTS } from '../harness/clients/registry';
import { unsupportedReason } from '../harness/clients/client';
import { Lab } from '../harness/runner/lab';
import { runCase } from '../harness/runner/run-case';
import type { CaseRecord } from '../harness/evidence/record';
import { failureCode, failureText } from '../harness/evidence/failure';
import { computeFacts } from '../harness/observe/facts';
import { evaluateChecksFor, worstVerdict } from '../harness/verdicts/evaluate';
import { uncontrolledBecause } from '../harness/verdicts/controls';
import { cellSeverity } from '../harness/verdicts/severity';
import { checkExpectations, describeMismatch, loadExpectations } from '../harness/verdicts/expectations';
import { describeOriginEvent, sessionLogLines, wireLogLines } from '../harness/report/wire-text';
import { FACTS, type FactName } from '../harness/vocabulary/facts';
import { requirement } from '../harness/vocabulary/requirements';
import { TRANSPORT_NAMES, TRANSPORTS, projectName, type Transport } from '../harness/vocabulary/transports';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
};
const usage = 'usage: npm run case -- <case-id> [--client chromium] [--transport h1|h1-tls|h2]';
const fail = (message: string): never => {
  console.error(`${message}\n${usage}`);
  process.exit(3);
};

const id = args.find((a, i) => !a.startsWith('--') && !['--client', '--transport'].includes(args[i - 1] ?? '')) ?? fail('which case?');
const clientName = option('--client') ?? 'chromium';
const transport = (option('--transport') ?? 'h1') as Transport;
let fixtures: LoadedFixture[] = [];
try {
  fixtures = loadFixtures();
} catch (e) {
  fail((e as Error).message);
}
const fixture =
  fixtures.find((f) => f.id === id) ??
  fail(
    `no case "${id}"${(() => {
      const near = fixtures
        .filter((f) => f.id.includes(id) || id.includes(f.id.split('-')[0]!))
        .map((f) => f.id)
        .slice(0, 8);
      return near.length ? `; similar: ${near.join(', ')}` : '';
    })()}`,
  );
const kind = CLIENTS[clientName] ?? fail(`no client "${clientName}" (known: ${Object.keys(CLIENTS).join(', ')})`);
if (!TRANSPORT_NAMES.includes(transport)) fail(`no transport "${transport}" (known: ${TRANSPORT_NAMES.join(', ')})`);
if (!kind.capabilities.transports.includes(transport))
  fail(`${kind.label} does not run over ${transport} (it runs over ${kind.capabilities.transports.join(', ')})`);
if (!fixture.transports.includes(transport))
  fail(`${fixture.id} is not applicable over ${transport} (it lists ${fixture.transports.join(', ')})`);
const unsupported = unsupportedReason(kind, fixture);
if (unsupported) fail(`${fixture.id}: ${unsupported}`);
const exe = kind.resolve();
if (!exe.path) fail(`${kind.label} is not available: ${exe.how}`);

const project = projectName(kind.name, transport);
const show = (v: unknown) => (Array.isArray(v) ? v.map(String).join(' | ') : String(v));
const line = (s = '') => console.log(s);

line(`${fixture.id}: ${fixture.title}`);
line(
  `${fixture.file}${fixture.family ? ` (family ${fixture.family})` : ''}; client ${kind.label} over ${TRANSPORTS[transport].label} (project ${project})`,
);
if (fixture.dependsOn.length) line(`means something only where ${fixture.dependsOn.join(', ')} passes (not run here)`);

const lab = await Lab.start(kind, transport).catch((e: Error) => fail(`${kind.label} over ${transport}: ${e.message}`));
let record: CaseRecord;
// A case with a positive control runs it first, in the same client: its verdict depends on it.
const control = fixture.control ? fixtures.find((f) => f.id === fixture.control) : undefined;
let controlRecord: CaseRecord | undefined;
try {
  if (control) controlRecord = await runCase(lab, control);
  record = await runCase(lab, fixture);
} catch (e) {
  await lab.close();
  console.error(`\nHARNESS ERROR: ${(e as Error).message}`);
  process.exit(2);
}
await lab.close();

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
  line(`  ${fixture.observe.includes(f) ? '*' : ' '} ${f.padEnd(24)} ${show(facts[f])}${FACTS[f].stable ? '' : '   (varies run to run)'}`);

const expectation = checkExpectations(fixture, facts, loadExpectations(project));
line(`\nExpectations (expectations/${project}.json): ${expectation.status === 'match' ? 'match' : ''}`);
if (expectation.status !== 'match') line(describeMismatch(project, fixture.id, expectation).replace(/^/gm, '  '));

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
process.exit(expectation.status === 'mismatch' ? 1 : 0);
